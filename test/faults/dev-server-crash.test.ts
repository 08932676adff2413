import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RequestRecord } from '../../src/requests/record.ts';
import { blockText } from '../support/bot-harness.ts';
import { DevProcessWorld, until } from '../support/dev-process.ts';
import type { StoredMessage } from '../support/fake-slack-api.ts';

// A real `npm run dev`, SIGKILLed mid-flow (no handler, no finally, no flush: what a crashed
// laptop or an OOM kill leaves) and started again on the same table. Nothing in the restarted
// process knows what the dead one was doing: its reconciler (DEPLOYBOT_RECONCILE_SECONDS=1) must
// find the half-done request in the table and bring it to the truth.

const CONVERGE_MS = 20_000;

describe('npm run dev killed with SIGKILL mid-flow, restarted on the same table', () => {
  let world: DevProcessWorld;
  beforeEach(async () => {
    world = await new DevProcessWorld().start();
  }, 60_000);
  afterEach(async () => {
    if (world) await world.stop();
  });

  /** Started once, with one build, the channel showing it running, the lock naming it. */
  async function converged(id: string, review: StoredMessage): Promise<RequestRecord> {
    return until(
      'the request to converge',
      async () => {
        const record = await world.record(id);
        const lock = await world.store.readLock('prod');
        const shown = blockText(world.message(review));
        const done =
          record?.state === 'started' &&
          record.build !== undefined &&
          lock?.requestId === id &&
          shown.includes('deploybot_stop') &&
          !shown.includes('deploybot_approve');
        return done ? record : undefined;
      },
      CONVERGE_MS,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n--- npm run dev wrote:\n${world.output.slice(-4000)}`);
    });
  }

  it('killed after open → starting, before StartBuild answered: the restarted process starts it once, with the request as token', async () => {
    await world.spawn();
    const { review, id } = await world.request();
    world.aws.hang('StartBuild');
    const click = await world.click('deploybot_approve', review);
    expect(click.status).toBe(200);
    await until('StartBuild to be called', () => world.aws.callsOf('StartBuild').length > 0 || undefined);
    await world.kill();
    expect((await world.record(id))?.state).toBe('starting');
    expect(world.aws.builds).toHaveLength(0);

    world.aws.unhang('StartBuild');
    await world.spawn();
    const record = await converged(id, review);

    const builds = world.buildsOf(id);
    expect(builds).toHaveLength(1);
    expect(record.build?.id).toBe(builds[0]?.id);
    // The dead process's call and the restarted one's carry the same token: CodeBuild would
    // have answered the same build had the first one reached it.
    const tokens = world.aws.callsOf('StartBuild').map((c) => c.idempotencyToken);
    expect(new Set(tokens)).toEqual(new Set([id]));
    const shown = world.message(review);
    expect(blockText(shown)).toContain(`Build <`);
    expect(blockText(shown)).toContain('running.');
    expect(blockText(shown)).not.toContain('Starting the build');
    // The start's thread reply follows the record's write: wait for it, then hold it to one.
    const startReplies = () =>
      world.slack.messages.filter((m) => m.thread_ts === review.ts && m.text?.includes('started, pinned to the approved plan'));
    await until('the start to be told in the thread', () => startReplies().length > 0 || undefined);
    expect(startReplies()).toHaveLength(1);
  }, 120_000);

  it('killed after StartBuild answered, before the record said started: the restarted process adopts that build, starts none', async () => {
    await world.spawn();
    const { review, id } = await world.request();
    world.faults.fail('hang', { operation: 'PutItem', containing: '{"S":"started"}' });
    await world.click('deploybot_approve', review);
    await until('the write of `started` to be in flight', () => world.faults.faulted.length > 0 || undefined);
    await world.kill();
    expect((await world.record(id))?.state).toBe('starting');
    expect(world.buildsOf(id)).toHaveLength(1);
    const ran = world.buildsOf(id)[0];

    world.faults.clear();
    await world.spawn();
    const record = await converged(id, review);
    expect(world.buildsOf(id)).toHaveLength(1);
    expect(record.build?.id).toBe(ran?.id);
    expect(new Set(world.aws.callsOf('StartBuild').map((c) => c.idempotencyToken))).toEqual(new Set([id]));
    expect(blockText(world.message(review))).toContain('running.');
  }, 120_000);
});
