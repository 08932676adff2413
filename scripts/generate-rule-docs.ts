import { writeFileSync } from 'node:fs';
import { renderRuleDocs } from '../src/render/rule-docs.ts';

// docs/rules.md is generated from the rule files; a test fails when the two drift.
writeFileSync(new URL('../docs/rules.md', import.meta.url), renderRuleDocs());
