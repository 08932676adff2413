import { describe, expect, it } from 'vitest';
import { decodeBuildEnvironment, decodeBuildRun, encodeBuildEnvironment } from '../src/build-env.ts';

// The build kind has one decoder, exact: the verifier, the run step and the entries read it
// through this, so no reading of " true" can verify one kind and run another.
describe('decodeBuildRun', () => {
  it('reads what the bot encodes', () => {
    const base = {
      requestId: 'r',
      env: 'prod',
      channel: 'C',
      threadTs: '1.1',
      requestedBy: 'U1',
      approvedBy: ['U2'],
      plan: 'p',
      planSha256: 's',
    };
    expect(decodeBuildRun(encodeBuildEnvironment({ ...base, run: { kind: 'migrate' } }))).toEqual({ ok: true, run: { kind: 'migrate' } });
    for (const clean of [true, false])
      expect(decodeBuildRun(encodeBuildEnvironment({ ...base, run: { kind: 'seed', clean } }))).toEqual({
        ok: true,
        run: { kind: 'seed', clean },
      });
  });

  it.each([
    [{ RUN_MIGRATIONS: ' true' }, 'RUN_MIGRATIONS=" true" is neither "true" nor "false"'],
    [{ RUN_MIGRATIONS: 'true ' }, 'RUN_MIGRATIONS="true " is neither'],
    [{ RUN_MIGRATIONS: 'TRUE' }, 'RUN_MIGRATIONS="TRUE" is neither'],
    [{ RUN_MIGRATIONS: '1' }, 'RUN_MIGRATIONS="1" is neither'],
    [{ RUN_MIGRATIONS: '' }, 'RUN_MIGRATIONS="" is neither'],
    [{ RUN_SEED: 'true', CLEAN: ' true' }, 'CLEAN=" true" is neither'],
    [{ RUN_MIGRATIONS: 'true', RUN_SEED: 'true', CLEAN: 'false' }, 'both RUN_MIGRATIONS=true and RUN_SEED=true'],
    [{ RUN_MIGRATIONS: 'true', CLEAN: 'true' }, 'CLEAN is set on a migration build'],
    [{ RUN_SEED: 'true' }, 'RUN_SEED=true without CLEAN=true or CLEAN=false'],
    [{}, 'neither RUN_MIGRATIONS=true nor RUN_SEED=true'],
    [{ RUN_MIGRATIONS: 'false', RUN_SEED: 'false' }, 'neither RUN_MIGRATIONS=true nor RUN_SEED=true'],
  ])('refuses %j with the reason', (vars, reason) => {
    const decoded = decodeBuildRun(vars);
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.reason).toContain(reason);
  });

  it('is what decodeBuildEnvironment reports as the run, so the thread never shows a kind the build would refuse', () => {
    expect(decodeBuildEnvironment({ RUN_MIGRATIONS: ' true' }).run).toBeUndefined();
    expect(decodeBuildEnvironment({ RUN_SEED: 'true', CLEAN: 'true' }).run).toEqual({ kind: 'seed', clean: true });
  });
});
