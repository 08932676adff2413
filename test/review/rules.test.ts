import { describe, expect, it } from 'vitest';
import { CATEGORIES } from '../../src/review/model.ts';
import { RULES } from '../../src/review/rule-set.ts';
import { reviewSql, rulesFired } from './helpers.ts';

describe('every rule', () => {
  it('has a unique kebab-case id, a known category, a one-line why and a fix', () => {
    const ids = RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of RULES) {
      expect(rule.id).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(CATEGORIES).toContain(rule.category);
      expect(rule.why).not.toContain('\n');
      expect(rule.fix.length).toBeGreaterThan(10);
      expect(rule.examples.flagged.length).toBeGreaterThan(0);
      expect(rule.examples.accepted.length).toBeGreaterThan(0);
    }
  });

  it('covers every category', () => {
    for (const category of CATEGORIES) expect(RULES.some((r) => r.category === category)).toBe(true);
  });
});

describe.each(RULES.map((r) => [r.id, r] as const))('rule %s', (id, rule) => {
  it.each(rule.examples.flagged.map((sql) => [sql]))('fires on %s', async (sql) => {
    const review = await reviewSql(sql);
    expect(rulesFired(review)).toContain(id);
    const finding = review.statements.flatMap((s) => s.findings).find((f) => f.rule === id);
    expect(finding?.category).toBe(rule.category);
    expect(finding?.message.length).toBeGreaterThan(10);
  });

  it.each(rule.examples.accepted.map((sql) => [sql]))('stays quiet on %s', async (sql) => {
    expect(rulesFired(await reviewSql(sql))).not.toContain(id);
  });
});
