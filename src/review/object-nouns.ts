// How a finding names a kind of object: libpg-query's ObjectType (DropStmt.removeType,
// RenameStmt.renameType) to the word PostgreSQL's own documentation uses for it.
const NOUNS: Record<string, string> = {
  OBJECT_AGGREGATE: 'aggregate',
  OBJECT_ATTRIBUTE: 'attribute',
  OBJECT_COLUMN: 'column',
  OBJECT_DOMAIN: 'domain',
  OBJECT_EXTENSION: 'extension',
  OBJECT_FUNCTION: 'function',
  OBJECT_INDEX: 'index',
  OBJECT_MATVIEW: 'materialized view',
  OBJECT_PROCEDURE: 'procedure',
  OBJECT_ROUTINE: 'routine',
  OBJECT_RULE: 'rule',
  OBJECT_SCHEMA: 'schema',
  OBJECT_SEQUENCE: 'sequence',
  OBJECT_TABCONSTRAINT: 'constraint',
  OBJECT_TABLE: 'table',
  OBJECT_TRIGGER: 'trigger',
  OBJECT_TYPE: 'type',
  OBJECT_VIEW: 'view',
};

/** The word for an object kind; the kind itself, lower-cased, for one without a word here. */
export function objectNoun(kind: string): string {
  return (
    NOUNS[kind] ??
    kind
      .replace(/^OBJECT_/, '')
      .toLowerCase()
      .replaceAll('_', ' ')
  );
}
