import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// An HTTP proxy in front of dynalite that fails DynamoDB calls the ways AWS does: throttled
// (HTTP 400 with the JSON protocol's __type, which the SDK retries), a 500, or the write
// forwarded and applied but its answer dropped (the connection is reset, the SDK retries the
// same request, and a conditional write then fails on its own effect), or held unanswered and
// never forwarded (a process killed while its write was in flight: nothing was applied).

export type DynamoFault = 'throttle' | 'throttling' | 'server-error' | 'drop-answer' | 'hang';

const THROTTLES: Record<'throttle' | 'throttling', { type: string; message: string }> = {
  throttle: {
    type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
    message:
      'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.',
  },
  throttling: { type: 'com.amazon.coral.availability#ThrottlingException', message: 'Rate of requests exceeds the allowed throughput.' },
};

interface Rule {
  fault: DynamoFault;
  /** The operation (PutItem, Query, …), or every operation. */
  operation?: string;
  /** Faults this many matching calls, then stops (Infinity: until cleared). */
  remaining: number;
  /** Only calls whose body contains this text (a request id, a state). */
  containing?: string;
  /** Probability a matching call is faulted (1: every one). */
  rate: number;
}

export class DynamoFaultProxy {
  #server?: Server;
  #rules: Rule[] = [];
  url = '';
  readonly faulted: { operation: string; fault: DynamoFault }[] = [];
  readonly calls: string[] = [];

  constructor(private readonly upstream: string) {}

  async start(): Promise<this> {
    this.#server = createServer((req, res) => this.#handle(req, res));
    await new Promise<void>((resolve) => this.#server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.#server?.closeAllConnections();
      this.#server?.close(() => resolve());
    });
  }

  /** The next `count` matching calls fail with `fault`. */
  fail(fault: DynamoFault, options: { operation?: string; count?: number; containing?: string } = {}): void {
    this.#rules.push({ fault, operation: options.operation, remaining: options.count ?? 1, containing: options.containing, rate: 1 });
  }

  /** From now on, each call fails with `fault` with probability `rate`, until cleared. */
  randomly(fault: DynamoFault, rate: number, random: () => number = Math.random): void {
    this.#random = random;
    this.#rules.push({ fault, remaining: Number.POSITIVE_INFINITY, rate });
  }

  clear(): void {
    this.#rules = [];
  }

  #random: () => number = Math.random;

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
      this.calls.push(operation);
      const rule = this.#rules.find(
        (r) =>
          r.remaining > 0 && (!r.operation || r.operation === operation) && (!r.containing || body.toString('utf8').includes(r.containing)),
      );
      const fault = rule && this.#random() < rule.rate ? rule.fault : undefined;
      if (rule && fault) {
        rule.remaining--;
        this.faulted.push({ operation, fault });
      }
      if (fault === 'throttle' || fault === 'throttling') {
        const { type, message } = THROTTLES[fault];
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': `fault-${this.calls.length}` });
        res.end(JSON.stringify({ __type: type, message }));
        return;
      }
      if (fault === 'hang') return;
      if (fault === 'server-error') {
        res.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'Internal server error' }));
        return;
      }
      const forwarded = httpRequest(
        `${this.upstream}${req.url ?? '/'}`,
        { method: req.method, headers: { ...req.headers, host: new URL(this.upstream).host } },
        (upstream) => {
          const answer: Buffer[] = [];
          upstream.on('data', (c: Buffer) => answer.push(c));
          upstream.on('end', () => {
            // Applied upstream; the caller never learns it.
            if (fault === 'drop-answer') return void res.socket?.destroy();
            res.writeHead(upstream.statusCode ?? 502, upstream.headers);
            res.end(Buffer.concat(answer));
          });
        },
      );
      forwarded.on('error', () => res.socket?.destroy());
      forwarded.end(body);
    });
  }
}
