import { CATEGORIES, CATEGORY_MEANING } from '../review/model.ts';
import { RULES } from '../review/rule-set.ts';
import { escapeJsonText, type Output } from './terminal-text.ts';

export const RULES_USAGE = `Usage: deploybot rules [--json]

Lists the review rules by category: id, title and why each flags a statement. The fixes and
examples are in docs/rules.md.

  --json       the rules as a JSON array (id, category, title, why, fix)
  -h, --help   this text`;

export async function main(argv: string[], out: Output, err: Output): Promise<number> {
  const unknown = argv.filter((a) => a !== '--json');
  if (unknown.length) {
    err.write(`deploybot rules: unexpected argument "${unknown[0]}"\n\n${RULES_USAGE}\n`);
    return 2;
  }
  if (argv.includes('--json')) {
    const rules = RULES.map(({ id, category, title, why, fix }) => ({ id, category, title, why, fix }));
    out.write(`${escapeJsonText(JSON.stringify(rules, null, 2))}\n`);
    return 0;
  }
  const lines: string[] = [];
  for (const category of CATEGORIES) {
    lines.push(`${category}: ${CATEGORY_MEANING[category]}`);
    for (const r of RULES.filter((rule) => rule.category === category)) lines.push(`  ${r.id.padEnd(38)} ${r.why}`);
    lines.push('');
  }
  out.write(`${lines.join('\n')}`);
  return 0;
}
