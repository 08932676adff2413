import type { Node, RangeVar } from 'libpg-query';

// libpg-query's Node is a union of one-key objects ({ AlterTableCmd: {...} } | ...).
// These helpers narrow it by key so rules read like the grammar they inspect.

type KeysOfUnion<T> = T extends T ? keyof T : never;
export type NodeKind = KeysOfUnion<Node>;
export type NodeBody<K extends NodeKind> = Extract<Node, Record<K, unknown>>[K];

export function nodeOf<K extends NodeKind>(node: Node | undefined, kind: K): NodeBody<K> | undefined {
  if (node === undefined || node === null || typeof node !== 'object') return undefined;
  return kind in node ? (node as unknown as Record<K, NodeBody<K>>)[kind] : undefined;
}

export function kindOf(node: Node): NodeKind {
  // A node has exactly one key; for-in reads it without allocating Object.keys' array, and
  // this runs several times for every statement reviewed.
  for (const key in node) return key as NodeKind;
  return '' as NodeKind;
}

export function nodesOf<K extends NodeKind>(nodes: readonly Node[] | undefined, kind: K): NodeBody<K>[] {
  const out: NodeBody<K>[] = [];
  for (const n of nodes ?? []) {
    const body = nodeOf(n, kind);
    if (body !== undefined) out.push(body);
  }
  return out;
}

/** `schema.table`, with Postgres's default schema made explicit so names compare. */
export function tableKey(rel: RangeVar | undefined): string {
  return `${rel?.schemaname ?? 'public'}.${rel?.relname ?? '?'}`;
}

/** How a table is named in a message: as the author wrote it, quoted like drizzle does. */
export function tableLabel(rel: RangeVar | undefined): string {
  const name = `"${rel?.relname ?? '?'}"`;
  return rel?.schemaname ? `"${rel.schemaname}".${name}` : name;
}

/** Dotted name from a list of String nodes (qualified names, type names, function names). */
export function qualifiedName(nodes: readonly Node[] | undefined): string {
  return nodesOf(nodes, 'String')
    .map((s) => s.sval ?? '')
    .join('.');
}

/** Last element of a qualified name: `pg_catalog.int4` -> `int4`. */
export function baseName(nodes: readonly Node[] | undefined): string {
  const parts = nodesOf(nodes, 'String');
  return parts[parts.length - 1]?.sval ?? '';
}

/** How a role is named in a message: quoted, or CURRENT_USER / PUBLIC for the special ones. */
export function roleName(role: { rolename?: string; roletype?: string }): string {
  return role.rolename ? `"${role.rolename}"` : (role.roletype ?? '?').replace('ROLESPEC_', '');
}
