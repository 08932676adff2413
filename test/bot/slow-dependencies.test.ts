import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { APPROVER, BotHarness, CHANNEL, REQUESTER } from '../support/bot-harness.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { slashCommandBody } from '../support/slack-requests.ts';
import { stallingProxy } from '../support/stalling-proxy.ts';

// Slack waits 3 seconds for an answer; the bot answers within one whatever its dependencies
// do, then tells the person what failed once the slow half gives up. Each dependency here
// accepts the connection and never answers.
const ANSWER_MS = 1000;

async function timed(work: Promise<Response>): Promise<{ ms: number; res: Response }> {
  const started = performance.now();
  const res = await work;
  return { ms: performance.now() - started, res };
}

describe('a dependency that hangs', () => {
  let bot: BotHarness;
  beforeEach(async () => {
    bot = await new BotHarness().start();
  });
  afterEach(() => bot.stop());

  /** A slash command and an Approve click, each answered (HTTP) in under a second. */
  async function answeredAtOnce(): Promise<void> {
    const command = await timed(
      bot.post(slashCommandBody({ text: 'migrate prod', userId: REQUESTER, channelId: CHANNEL, responseUrl: bot.slack.responseUrl() })),
    );
    expect(command.res.status).toBe(200);
    expect(command.ms).toBeLessThan(ANSWER_MS);
  }

  async function approveAnsweredAtOnce(): Promise<void> {
    const click = await timed(bot.clickNow('deploybot_approve', APPROVER));
    expect(click.res.status).toBe(200);
    expect(click.ms).toBeLessThan(ANSWER_MS);
  }

  it('Secrets Manager: the command is answered at once, and the form says the target could not be read', async () => {
    await bot.request();
    bot.aws.hang('GetSecretValue');
    await approveAnsweredAtOnce();
    await answeredAtOnce();
    await bot.settled();
    // The environment is held by the first request: its form says so without reading the target.
    const modal = JSON.stringify(bot.currentModal());
    expect(modal).toContain('is open until');
  }, 30_000);

  it('Secrets Manager, on a free environment: the review is marked unknown with the reason', async () => {
    bot.aws.hang('GetSecretValue');
    await answeredAtOnce();
    await bot.settled();
    const modal = JSON.stringify(bot.currentModal());
    expect(modal).toContain('Pending set unknown');
    expect(modal).toMatch(/Cannot read secret daadaar\/prod\/database-read-url: \w+/);
  }, 30_000);

  describe('the target database, after login', () => {
    let db: TestDatabase;
    let proxy: Awaited<ReturnType<typeof stallingProxy>>;
    beforeEach(async () => {
      db = await createTestDatabase();
      const url = new URL(db.url);
      proxy = await stallingProxy({ host: url.hostname, port: Number(url.port || 5432) });
      url.port = String(proxy.port);
      bot.aws.secrets.set('daadaar/prod/database-read-url', url.toString());
    });
    afterEach(async () => {
      await proxy.close();
      await db.drop();
    });

    it('answers at once; the form says the database did not answer in time', async () => {
      await answeredAtOnce();
      await bot.settled();
      const modal = JSON.stringify(bot.currentModal());
      expect(modal).toContain('Pending set unknown');
      expect(modal).toMatch(/The target database did not answer within \d s/);
    }, 30_000);
  });

  it('CodeBuild: the click is answered at once; the thread says the build did not start, and the request stays open', async () => {
    const message = await bot.request();
    bot.aws.hang('ListBuildsForProject');
    bot.aws.hang('StartBuild');
    await approveAnsweredAtOnce();
    await bot.settled();
    const reply = bot.threadReplies(message).find((r) => r.text?.includes('did not start'));
    expect(reply?.text).toContain('CodeBuild could not be asked which builds are running');
    expect((await bot.record())?.state).toBe('open');
  }, 30_000);

  it('Slack views.update: the command is answered at once; the person is told through the response_url', async () => {
    bot.slack.hang('views.update');
    await answeredAtOnce();
    await bot.settled();
    const told = bot.responseTexts().join('\n');
    expect(told).toContain('The migrate form could not be shown');
    expect(told).toContain('Slack views.update did not answer within 4 s');
  }, 30_000);

  it('Lambda Invoke: the listener gives up within its budget and says the bot could not start working', async () => {
    bot.aws.hang('Invoke');
    await answeredAtOnce();
    const told = bot.responseTexts().join('\n');
    expect(told).toContain('The bot could not start working on that');
  }, 30_000);
});
