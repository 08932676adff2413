import { CATEGORY_MEANING } from '../review/model.ts';
import { RULES } from '../review/rule-set.ts';
import type { BranchCheckKind } from './branch-plan.ts';
import { annotations } from './render-github.ts';
import type { ReviewReport } from './review-report.ts';

// `--format sarif`: SARIF 2.1.0 (OASIS, https://docs.oasis-open.org/sarif/sarif/v2.1.0/), the
// format GitHub code scanning uploads (github/codeql-action/upload-sarif) and most CI tools read.
// The same results as the annotations: a result per finding, repository check, failed,
// unavailable or unjudged dry run and empty migration, each with a rule carrying the why and the fix.

const RULES_DOC = 'docs/rules.md';

type DryRunRule = 'dry-run-failed' | 'dry-run-unavailable' | 'dry-run-not-judged';

const CHECK_RULES: Record<BranchCheckKind | DryRunRule | 'empty-migration' | 'comment-only-migration', string> = {
  'edited-migration': 'A migration the base branch already has was edited: the edit never reaches a database that applied it.',
  'retimed-migration': 'A migration the base branch already has got a new journal `when`: databases may run it twice or skip what follows.',
  'out-of-order':
    'A new journal entry is not newer than every entry on the base branch: drizzle skips it on databases that applied the base.',
  'missing-file': "A journal entry has no .sql file: drizzle's migrator refuses to run at all.",
  'removed-migration': 'The base branch has a journal entry this branch does not: merge or rebase onto the base.',
  'dry-run-failed': 'The migrations failed on embedded PostgreSQL, applied as drizzle would.',
  'dry-run-unavailable': 'Embedded PostgreSQL lacks what the migrations need (an extension PGlite does not ship): no verdict on them.',
  'dry-run-not-judged': "A statement failed only on the dry run's synthetic rows' values, which real data may not have: not judged.",
  'empty-migration': 'An empty migration: drizzle records it as applied and runs nothing.',
  'comment-only-migration': 'A migration holding only comments: drizzle records it as applied and runs nothing.',
};

export function renderSarif(report: ReviewReport, failOn: readonly string[], version: string): string {
  const rules = [
    ...RULES.map((r) => ({
      id: r.id,
      name: r.title,
      shortDescription: { text: r.title },
      fullDescription: { text: r.why },
      help: { text: `${r.why}\nFix: ${r.fix}`, markdown: `${r.why}\n\n**Fix:** ${r.fix}` },
      helpUri: `${RULES_DOC}#${r.id}`,
      properties: { category: r.category, tags: [r.category], description: CATEGORY_MEANING[r.category] },
    })),
    ...Object.entries(CHECK_RULES).map(([id, text]) => ({ id, name: id, shortDescription: { text }, fullDescription: { text } })),
  ];
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const results = annotations(report, failOn).map((a) => {
    return {
      ruleId: a.ruleId,
      ruleIndex: index.get(a.ruleId),
      level: a.level === 'notice' ? 'note' : a.level,
      message: { text: a.message },
      locations: [{ physicalLocation: { artifactLocation: { uri: a.file.split('\\').join('/') }, region: { startLine: a.line } } }],
    };
  });
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'deploybot', version, rules } },
        results,
        properties: { scope: report.scopeText, plan: report.plan ?? null, migrationSetSha256: report.migrationSetSha256 },
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}
