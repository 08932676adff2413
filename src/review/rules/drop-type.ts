import { nodeOf, qualifiedName } from '../ast.ts';
import { defineRule, droppedNames, quoted } from '../rule.ts';

export default defineRule({
  id: 'drop-type',
  category: 'breaking',
  appliesTo: ['DropStmt'],
  title: 'Drop type',
  why: 'Dropping a type or domain breaks code and functions that cast to it; with CASCADE it drops the columns that use it, and their data.',
  notes:
    "A type no column uses any more is still flagged. Code names types without columns: casts in the application's SQL (`'warn'::ban_action` in drizzle's sql`…`), PL/pgSQL variables and SQL function bodies, which PostgreSQL stores as text and does not count as dependencies, so DROP TYPE without CASCADE succeeds and they fail when next run. Columns, views and function signatures are real dependencies: PostgreSQL refuses the drop while one remains, so what this rule cannot see is exactly the code that breaks. Not flagged: drizzle-kit's enum value removal, which drops the type and creates it again under the same name in the same run (the name exists when the run commits; the cast back is judged by alter-column-type).",
  fix: 'Move columns off the type first and drop it without CASCADE, so Postgres refuses if anything still uses it.',
  examples: {
    flagged: ['DROP TYPE "public"."ban_action";', 'DROP TYPE "media_type" CASCADE;', 'DROP DOMAIN "email_address";'],
    accepted: [
      'CREATE TYPE "mood" AS ENUM(\'ok\');',
      'ALTER TABLE "t" ALTER COLUMN "mood" SET DATA TYPE text;\nDROP TYPE "public"."mood";\nCREATE TYPE "public"."mood" AS ENUM(\'ok\');\nALTER TABLE "t" ALTER COLUMN "mood" SET DATA TYPE "public"."mood" USING "mood"::"public"."mood";',
    ],
  },
  check(stmt, ctx) {
    const dropped = droppedNames(stmt, ['OBJECT_TYPE', 'OBJECT_DOMAIN']);
    if (!dropped) return [];
    // drizzle-kit removes enum values by turning the columns into text, dropping and re-creating
    // the type, and casting back: the cast back is where data is at risk (alter-column-type says so).
    if (
      dropped.kind === 'OBJECT_TYPE' &&
      dropped.drop.behavior !== 'DROP_CASCADE' &&
      dropped.names.every((n) => recreatedLater(n, ctx.later('CreateEnumStmt')))
    )
      return [];
    const what = dropped.kind === 'OBJECT_DOMAIN' ? 'domain' : 'type';
    const cascade = dropped.drop.behavior === 'DROP_CASCADE' ? ' with CASCADE: columns of this type are dropped too, with their data' : '';
    return [`Drops ${what} ${quoted(dropped.names)}${cascade}.`];
  },
});

function recreatedLater(name: string, later: readonly { ast?: import('libpg-query').Node }[]): boolean {
  const key = (n: string) => (n.includes('.') ? n : `public.${n}`);
  return later.some((s) => {
    const created = nodeOf(s.ast, 'CreateEnumStmt');
    return created !== undefined && key(qualifiedName(created.typeName)) === key(name);
  });
}
