import { defineRule, droppedNames, quoted } from '../rule.ts';

export default defineRule({
  id: 'drop-type',
  category: 'breaking',
  appliesTo: ['DropStmt'],
  title: 'Drop type',
  why: 'Dropping a type or domain breaks code and functions that cast to it; with CASCADE it drops the columns that use it, and their data.',
  fix: 'Move columns off the type first and drop it without CASCADE, so Postgres refuses if anything still uses it.',
  examples: {
    flagged: ['DROP TYPE "public"."ban_action";', 'DROP TYPE "media_type" CASCADE;', 'DROP DOMAIN "email_address";'],
    accepted: ['CREATE TYPE "mood" AS ENUM(\'ok\');'],
  },
  check(stmt) {
    const dropped = droppedNames(stmt, ['OBJECT_TYPE', 'OBJECT_DOMAIN']);
    if (!dropped) return [];
    const what = dropped.kind === 'OBJECT_DOMAIN' ? 'domain' : 'type';
    const cascade = dropped.drop.behavior === 'DROP_CASCADE' ? ' with CASCADE: columns of this type are dropped too, with their data' : '';
    return [`Drops ${what} ${quoted(dropped.names)}${cascade}.`];
  },
});
