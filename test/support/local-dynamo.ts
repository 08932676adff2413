import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';
import { ensureRequestTable } from '../../src/aws/request-store.ts';

// DynamoDB on loopback: dynalite, in memory, conditional writes and all, driven through the
// real SDK client. One server per harness; a fresh table per start.
let tables = 0;

export class LocalDynamo {
  readonly #server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  url = '';

  async start(): Promise<this> {
    // dynalite accepts any signed request; the SDK still insists on signing one.
    process.env.AWS_ACCESS_KEY_ID ??= 'AKIDLOCALDYNAMO00';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'local-dynamo';
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', () => resolve()));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  async table(): Promise<string> {
    const name = `deploybot-test-${process.pid}-${++tables}`;
    await ensureRequestTable(name, this.url);
    return name;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}
