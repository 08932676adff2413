import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { renderRuleDocs } from '../../src/render/rule-docs.ts';

it('docs/rules.md matches the rules (run `npm run docs` after changing a rule)', () => {
  expect(readFileSync('docs/rules.md', 'utf8')).toBe(renderRuleDocs());
});
