// A large migration shaped like drizzle-kit's output: the statement kinds it emits, in the
// proportions a long-lived schema accumulates, separated by its breakpoints. Deterministic,
// so runs compare.
export function drizzleStyleMigration(statements: number): string {
  const out: string[] = [];
  for (let i = 0; i < statements; i++) {
    const t = `"t${i % 300}"`;
    const kinds = [
      `CREATE TABLE "tbl_${i}" (\n\t"id" serial PRIMARY KEY NOT NULL,\n\t"name" varchar(255) NOT NULL,\n\t"session_id" uuid,\n\t"created_at" timestamp DEFAULT now() NOT NULL\n);`,
      `ALTER TABLE ${t} ADD COLUMN "c${i}" text;`,
      `CREATE INDEX "idx_${i}" ON ${t} USING btree ("c${i}");`,
      `ALTER TABLE ${t} ADD CONSTRAINT "fk_${i}" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;`,
      `ALTER TABLE ${t} DROP COLUMN "old_${i}";`,
      `ALTER TABLE ${t} ALTER COLUMN "c${i}" SET DATA TYPE varchar(255);`,
      `ALTER TABLE ${t} RENAME COLUMN "a${i}" TO "b${i}";`,
      `UPDATE ${t} SET "x" = 1 WHERE "id" = ${i};`,
      `DO $$ BEGIN\n CREATE TYPE "public"."e${i}" AS ENUM('a', 'b');\nEXCEPTION\n WHEN duplicate_object THEN null;\nEND $$;`,
      `ALTER TABLE ${t} ALTER COLUMN "c${i}" SET NOT NULL;`,
    ];
    out.push(kinds[i % kinds.length] ?? '');
  }
  return `${out.join('--> statement-breakpoint\n')}\n`;
}
