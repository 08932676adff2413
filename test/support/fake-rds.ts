import { randomUUID } from 'node:crypto';
import { listen } from './http-server.ts';

// RDS on loopback, speaking its Query protocol as @aws-sdk/client-rds does: POST / with a
// form-encoded body (Action=CreateDBSnapshot&Version=2014-10-31&…), answered in XML
// (<ActionResponse><ActionResult>…</ActionResult></ActionResponse>; errors as
// <ErrorResponse><Error><Type/><Code/><Message/></Error></ErrorResponse> with a 4xx status), the
// element names as the SDK's deserializer reads them (dist-cjs: CreateDBSnapshotResult$ →
// DBSnapshot; DBSnapshotMessage$ → DBSnapshots/DBSnapshot). A snapshot is `creating` for as
// many Describe calls as `describesUntilAvailable` says, then takes `finalStatus`.

const NAMESPACE = 'http://rds.amazonaws.com/doc/2014-10-31/';

export interface FakeSnapshot {
  kind: 'instance' | 'cluster';
  id: string;
  source: string;
  status: string;
  describes: number;
  tags: Record<string, string>;
}

interface RdsError {
  status: number;
  code: string;
  message: string;
}

export class FakeRds {
  readonly requests: Record<string, string>[] = [];
  readonly snapshots = new Map<string, FakeSnapshot>();
  readonly instances = new Set<string>();
  readonly clusters = new Set<string>();
  describesUntilAvailable = 2;
  finalStatus = 'available';
  readonly #failures = new Map<string, RdsError[]>();
  #server?: { url: string; close(): Promise<void> };

  get url(): string {
    return this.#server?.url ?? '';
  }

  async start(): Promise<this> {
    this.#server = await listen((_req, raw, res) => {
      const params = Object.fromEntries(new URLSearchParams(raw));
      this.requests.push(params);
      const action = params.Action ?? '';
      const failure = this.#failures.get(action)?.shift();
      const result = failure ? { error: failure } : this.#dispatch(action, params);
      const requestId = randomUUID();
      res.writeHead('error' in result ? result.error.status : 200, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
      res.end(
        'error' in result
          ? `<ErrorResponse xmlns="${NAMESPACE}"><Error><Type>Sender</Type><Code>${result.error.code}</Code><Message>${escapeXml(result.error.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`
          : `<${action}Response xmlns="${NAMESPACE}"><${action}Result>${result.ok}</${action}Result><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`,
      );
    });
    return this;
  }

  stop(): Promise<void> {
    return this.#server?.close() ?? Promise.resolve();
  }

  /** The next call(s) of `action` (e.g. 'CreateDBSnapshot') fail with this error. */
  fail(action: string, error: RdsError): void {
    this.#failures.set(action, [...(this.#failures.get(action) ?? []), error]);
  }

  /** The calls made, by Action, in order. */
  actions(): string[] {
    return this.requests.map((r) => r.Action ?? '');
  }

  #dispatch(action: string, p: Record<string, string>): { ok: string } | { error: RdsError } {
    switch (action) {
      case 'CreateDBSnapshot':
        return this.#create('instance', p.DBInstanceIdentifier, p.DBSnapshotIdentifier, p);
      case 'CreateDBClusterSnapshot':
        return this.#create('cluster', p.DBClusterIdentifier, p.DBClusterSnapshotIdentifier, p);
      case 'DescribeDBSnapshots':
        return this.#describe('instance', p.DBSnapshotIdentifier);
      case 'DescribeDBClusterSnapshots':
        return this.#describe('cluster', p.DBClusterSnapshotIdentifier);
      default:
        return { error: { status: 400, code: 'InvalidAction', message: `${action} is not served by this fake` } };
    }
  }

  #create(kind: FakeSnapshot['kind'], source: string | undefined, id: string | undefined, p: Record<string, string>) {
    const known = kind === 'instance' ? this.instances : this.clusters;
    if (!source || !known.has(source))
      return {
        error: {
          status: 404,
          code: kind === 'instance' ? 'DBInstanceNotFound' : 'DBClusterNotFoundFault',
          message: `${kind === 'instance' ? 'DBInstance' : 'DBCluster'} ${source} not found.`,
        },
      };
    if (!id) return { error: { status: 400, code: 'InvalidParameterValue', message: 'snapshot identifier missing' } };
    if (this.snapshots.has(id))
      return {
        error: {
          status: 400,
          code: kind === 'instance' ? 'DBSnapshotAlreadyExists' : 'DBClusterSnapshotAlreadyExistsFault',
          message: `Cannot create the snapshot because a snapshot with the identifier ${id} already exists.`,
        },
      };
    const tags: Record<string, string> = {};
    for (let i = 1; p[`Tags.Tag.${i}.Key`] !== undefined; i++) tags[p[`Tags.Tag.${i}.Key`] ?? ''] = p[`Tags.Tag.${i}.Value`] ?? '';
    const snapshot: FakeSnapshot = { kind, id, source, status: 'creating', describes: 0, tags };
    this.snapshots.set(id, snapshot);
    return { ok: element(snapshot) };
  }

  #describe(kind: FakeSnapshot['kind'], id: string | undefined) {
    const snapshot = id ? this.snapshots.get(id) : undefined;
    if (!snapshot || snapshot.kind !== kind)
      return {
        error: {
          status: 404,
          code: kind === 'instance' ? 'DBSnapshotNotFound' : 'DBClusterSnapshotNotFoundFault',
          message: `Snapshot ${id} not found.`,
        },
      };
    snapshot.describes++;
    if (snapshot.status === 'creating' && snapshot.describes >= this.describesUntilAvailable) snapshot.status = this.finalStatus;
    const list = kind === 'instance' ? 'DBSnapshots' : 'DBClusterSnapshots';
    return { ok: `<${list}>${element(snapshot)}</${list}>` };
  }
}

function element(s: FakeSnapshot): string {
  return s.kind === 'instance'
    ? `<DBSnapshot><DBSnapshotIdentifier>${s.id}</DBSnapshotIdentifier><DBInstanceIdentifier>${s.source}</DBInstanceIdentifier><Status>${s.status}</Status><Engine>postgres</Engine><SnapshotType>manual</SnapshotType></DBSnapshot>`
    : `<DBClusterSnapshot><DBClusterSnapshotIdentifier>${s.id}</DBClusterSnapshotIdentifier><DBClusterIdentifier>${s.source}</DBClusterIdentifier><Status>${s.status}</Status><Engine>aurora-postgresql</Engine><SnapshotType>manual</SnapshotType></DBClusterSnapshot>`;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
