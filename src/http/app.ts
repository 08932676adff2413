import { Hono } from 'hono';
import type { HttpReply } from './slack-receiver.ts';

export interface SlackEndpoint {
  handle(rawBody: string, headers: Headers): Promise<HttpReply>;
}

/** The one HTTP surface, the same on Lambda, in `npm run dev` and in tests. */
export function createHttpApp(slack: () => Promise<SlackEndpoint>): Hono {
  const app = new Hono();
  app.get('/healthz', (c) => c.json({ ok: true }));
  app.post('/slack/events', async (c) => {
    // The signature covers the exact bytes Slack sent: read them raw, before any parsing.
    const raw = await c.req.text();
    const reply = await (await slack()).handle(raw, c.req.raw.headers);
    return c.body(reply.body, reply.status as 200, reply.contentType ? { 'content-type': reply.contentType } : {});
  });
  return app;
}
