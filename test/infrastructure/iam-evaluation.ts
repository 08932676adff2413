// What the tests need of CloudFormation and IAM to read the rendered stacks as AWS would:
// intrinsics resolved against one made-up account, and the identity-policy evaluation of one
// request (an explicit Deny wins, then any Allow, else the implicit deny), for the condition
// operators the stacks use. An operator it does not know fails the test instead of passing it.

export const ACCOUNT = '123456789012';
const PSEUDO: Record<string, string> = {
  'AWS::AccountId': ACCOUNT,
  'AWS::Partition': 'aws',
  'AWS::Region': 'us-east-1',
  RequestTable: 'daadaar-deploybot-requests',
  'RequestTable.Arn': `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/daadaar-deploybot-requests`,
};

/** What the bot's stack exports (scripts/infrastructure/bot-stack.ts Outputs), as CloudFormation would resolve them. */
export const EXPORTS: Record<string, string> = {
  'daadaar-deploybot-bot-RequestTableName': PSEUDO.RequestTable as string,
  'daadaar-deploybot-bot-RequestTableArn': PSEUDO['RequestTable.Arn'] as string,
};

/** Ref, Fn::Sub, Fn::GetAtt and Fn::ImportValue resolved from `values` (and the pseudo parameters, the bot's exports); anything unknown throws. */
export function resolve(node: unknown, values: Record<string, string> = {}): unknown {
  const all = { ...PSEUDO, ...values };
  const lookup = (name: string) => {
    const value = all[name];
    if (value === undefined) throw new Error(`unresolved ${name}`);
    return value;
  };
  if (Array.isArray(node)) return node.map((n) => resolve(n, values));
  if (node === null || typeof node !== 'object') return node;
  const record = node as Record<string, unknown>;
  if (typeof record.Ref === 'string') return lookup(record.Ref);
  if (typeof record['Fn::Sub'] === 'string') return record['Fn::Sub'].replace(/\$\{([\w:.]+)\}/g, (_, name: string) => lookup(name));
  if (record['Fn::ImportValue'] !== undefined) {
    const name = resolve(record['Fn::ImportValue'], values) as string;
    const value = EXPORTS[name];
    if (value === undefined) throw new Error(`unresolved export ${name}`);
    return value;
  }
  const getAtt = record['Fn::GetAtt'];
  if (Array.isArray(getAtt)) return lookup(getAtt.join('.'));
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, resolve(v, values)]));
}

export interface Statement {
  Sid: string;
  Effect: 'Allow' | 'Deny';
  Action: string[];
  Resource: string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface Request {
  action: string;
  resource: string;
  /** Request context keys: single-valued as a string, multivalued as an array. */
  context?: Record<string, string | string[]>;
}

const glob = (pattern: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
const list = (v: string | string[]) => (Array.isArray(v) ? v : [v]);

function conditionHolds(operator: string, key: string, expected: string | string[], context: Request['context'] = {}): boolean {
  const actual = context[key];
  const wanted = list(expected);
  switch (operator) {
    case 'Null':
      return (actual === undefined) === (wanted[0] === 'true');
    // A negated operator is true when the key is absent (IAM user guide, "IAM JSON policy elements: Condition operators").
    case 'StringNotLike':
      return actual === undefined || !list(actual).some((a) => wanted.some((w) => glob(w).test(a)));
    case 'StringLike':
      return actual !== undefined && list(actual).some((a) => wanted.some((w) => glob(w).test(a)));
    case 'ForAnyValue:StringNotEquals':
      return actual !== undefined && list(actual).some((a) => !wanted.includes(a));
    // ForAllValues is true for an absent key (an empty set): the requests here always carry it.
    case 'ForAllValues:StringEquals':
      return actual === undefined || list(actual).every((a) => wanted.includes(a));
    case 'ForAllValues:StringLike':
      return actual === undefined || list(actual).every((a) => wanted.some((w) => glob(w).test(a)));
    case 'StringEqualsIfExists':
      return actual === undefined || list(actual).some((a) => wanted.includes(a));
    default:
      throw new Error(`the test evaluator does not know the condition operator ${operator}`);
  }
}

function applies(s: Statement, request: Request): boolean {
  if (!s.Action.some((a) => glob(a).test(request.action))) return false;
  if (!s.Resource.some((r) => glob(r).test(request.resource))) return false;
  return Object.entries(s.Condition ?? {}).every(([operator, keys]) =>
    Object.entries(keys).every(([key, expected]) => conditionHolds(operator, key, expected, request.context)),
  );
}

export function evaluate(statements: readonly Statement[], request: Request): 'allowed' | 'explicitly denied' | 'implicitly denied' {
  const matching = statements.filter((s) => applies(s, request));
  if (matching.some((s) => s.Effect === 'Deny')) return 'explicitly denied';
  return matching.some((s) => s.Effect === 'Allow') ? 'allowed' : 'implicitly denied';
}

/** The request context CodeBuild builds from StartBuild's environmentVariablesOverride. */
export function overrideContext(vars: Record<string, string>): Record<string, string | string[]> {
  const context: Record<string, string | string[]> = {
    'codebuild:environment.environmentVariables.name': Object.keys(vars),
    'codebuild:environment.environmentVariables.value': Object.values(vars),
  };
  for (const [name, value] of Object.entries(vars)) context[`codebuild:environment.environmentVariables/${name}.value`] = value;
  return context;
}

export interface RolePolicy {
  /** The inline policy's name, or the managed policy's description. */
  name: string;
  kind: 'inline' | 'managed';
  statements: Statement[];
  /** Characters as IAM counts them (whitespace excluded), resolved. */
  size: number;
}

type Resources = Record<string, { Properties: Record<string, unknown> }>;

/** A role's inline policies and the managed policies of the same template it attaches, resolved. */
export function policiesOfRole(resources: Resources, role: string): RolePolicy[] {
  const properties = resources[role]?.Properties ?? {};
  const of = (name: string, kind: RolePolicy['kind'], document: unknown): RolePolicy => {
    const resolved = resolve(document) as { Statement: Statement[] };
    return { name, kind, statements: resolved.Statement, size: JSON.stringify(resolved).length };
  };
  const inline = ((properties.Policies ?? []) as { PolicyName: string; PolicyDocument: unknown }[]).map((p) =>
    of(p.PolicyName, 'inline', p.PolicyDocument),
  );
  const managed = ((properties.ManagedPolicyArns ?? []) as { Ref: string }[]).map(({ Ref }) => {
    const policy = resources[Ref]?.Properties as { Description: string; PolicyDocument: unknown };
    return of(policy.Description, 'managed', policy.PolicyDocument);
  });
  return [...inline, ...managed];
}
