import { defineRule } from '../rule.ts';

export default defineRule({
  id: 'misplaced-statement-breakpoint',
  category: 'unreviewable',
  appliesTo: ['statement-breakpoint'],
  title: 'Statement breakpoint where drizzle-kit never writes one',
  why: 'drizzle cuts the file on the raw text `--> statement-breakpoint` wherever it sits, so SQL after a marker in mid-line, in a comment or in a string runs though the file reads as if it were a comment or text.',
  fix: "Put each `--> statement-breakpoint` at the end of a line, right after a statement's `;`, with nothing after it on that line and never inside a comment or a string.",
  examples: {
    flagged: [
      'SELECT 1; --> statement-breakpoint DROP TABLE "users" CASCADE;',
      'SELECT 1; -- harmless --> statement-breakpoint DROP TABLE "users";',
      "INSERT INTO notes VALUES ('a --> statement-breakpoint b');",
    ],
    accepted: ['ALTER TABLE "users" ADD COLUMN "bio" text;--> statement-breakpoint\nCREATE INDEX "users_bio_idx" ON "users" ("bio");'],
  },
  check(stmt) {
    if (!stmt.misplacedMarker) return [];
    return [
      `The \`--> statement-breakpoint\` before this statement is not where drizzle-kit writes one: ${stmt.misplacedMarker}. drizzle cuts the file there anyway and runs this as its own query, so the file does not read as it runs.`,
    ];
  },
});
