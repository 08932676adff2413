import { lazySdk } from '../aws/lazy-sdk.ts';
import type { DeferredJob, DeferredWork } from '../bot/jobs/deferred.ts';
import { sealJob } from '../bot/jobs/job-envelope.ts';
import { BUDGET, sdkTimeouts, withDeadline } from '../deadline.ts';

// The Slack function's lazy listeners: it invokes itself asynchronously (InvocationType
// Event: Lambda queues the payload and answers 202 at once), and the new invocation runs the
// job with its own timeout, long after Slack has had its answer.
// https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html

const loadSdk = lazySdk(() => import('@aws-sdk/client-lambda'));

export class LambdaSelfInvoke implements DeferredWork {
  #client?: Promise<{
    sdk: Awaited<ReturnType<typeof loadSdk>>;
    client: InstanceType<Awaited<ReturnType<typeof loadSdk>>['LambdaClient']>;
  }>;

  constructor(
    private readonly functionName: string,
    private readonly key: Buffer,
    /** `now`: the clock the envelope is sealed with, the one the receiving invocation checks it by. */
    private readonly options: { region?: string; now?: () => number } = {},
  ) {}

  async defer(job: DeferredJob): Promise<void> {
    this.#client ??= loadSdk().then((sdk) => ({
      sdk,
      client: new sdk.LambdaClient({
        region: this.options.region ?? process.env.AWS_REGION ?? 'us-east-1',
        ...sdkTimeouts(BUDGET.deferWork),
      }),
    }));
    const { sdk, client } = await this.#client;
    const sent = await withDeadline(
      client.send(
        new sdk.InvokeCommand({
          FunctionName: this.functionName,
          InvocationType: 'Event',
          Payload: Buffer.from(JSON.stringify(sealJob(job, this.key, (this.options.now ?? Date.now)()))),
        }),
      ),
      BUDGET.deferWork,
      'Lambda Invoke',
    );
    if (sent.StatusCode !== 202) throw new Error(`Lambda Invoke answered ${sent.StatusCode ?? 'no status'} instead of 202`);
  }
}
