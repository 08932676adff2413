// Every I/O call the bot makes has a deadline: a dependency that hangs (a database that
// accepted the login and then stalls, an AWS endpoint that never answers) must turn into a
// reason a person is told, not into a Lambda that runs until its own timeout.

export class DeadlineExceeded extends Error {
  override readonly name = 'DeadlineExceeded';
  constructor(
    readonly what: string,
    readonly ms: number,
  ) {
    super(`${what} did not answer within ${ms >= 1000 ? `${ms / 1000} s` : `${ms} ms`}`);
  }
}

/** Resolves or rejects as `work` does, or rejects with DeadlineExceeded after `ms`. */
export function withDeadline<T>(work: Promise<T>, ms: number, what: string, onTimeout?: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout?.();
      reject(new DeadlineExceeded(what, ms));
    }, ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/**
 * Per-call budgets, in milliseconds. The AWS SDK's own timeouts (requestHandler
 * connectionTimeout/requestTimeout) end the socket; these are the totals a caller waits.
 */
export const BUDGET = {
  /** Handing slow work to the asynchronous invocation: it sits inside Slack's 3 s window. */
  deferWork: 900,
  dynamo: 2000,
  codeBuild: 4000,
  secrets: 2500,
  /** The target's drizzle history, Secrets Manager read included. */
  targetRead: 6000,
  slack: 4000,
  /** A trigger id lives 3 s from the click; the listener still has to hand over and answer. */
  slackViewsOpen: 1800,
  logs: 3000,
  ecr: 3000,
} as const;

/** The SDK's socket timeouts for a client whose calls must end within `totalMs`. */
export function sdkTimeouts(totalMs: number) {
  // Two attempts share the budget; the connection gets a slice of each. @smithy/node-http-handler
  // only logs a warning when requestTimeout passes unless throwOnRequestTimeout is set: without
  // it, an endpoint that never answers is waited on forever (seen against a server that holds
  // the request open).
  const perAttempt = Math.floor(totalMs / 2);
  return {
    requestHandler: { connectionTimeout: Math.min(1000, perAttempt), requestTimeout: perAttempt, throwOnRequestTimeout: true },
    maxAttempts: 2,
  };
}
