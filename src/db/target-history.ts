import { readSecretString } from '../aws/secrets.ts';
import type { EnvironmentConfig } from '../config.ts';
import type { AppliedHistory } from '../history/target-review.ts';
import { readAppliedMigrations } from './applied-migrations.ts';

/** An environment's drizzle history, as the bot reads it before a review. */
export interface TargetHistoryReader {
  read(env: EnvironmentConfig): Promise<AppliedHistory>;
}

/**
 * DATABASE_URL from the environment's Secrets Manager secret (a plain URL, or JSON with a
 * DATABASE_URL key, as the platform stores it), then one short read-only look at the table.
 * Budgets are tight because the reply to Slack waits for it: 2 s to connect, 1.5 s per statement.
 */
export class SecretsManagerTargetHistory implements TargetHistoryReader {
  async read(env: EnvironmentConfig): Promise<AppliedHistory> {
    const secret = await readSecretString(env.databaseReadUrlSecretId, env.region);
    if (!secret.ok) return secret;
    const url = databaseUrlFromSecret(secret.value);
    if (!url) return { ok: false, reason: `Secret ${env.databaseReadUrlSecretId} holds no postgres:// URL.` };
    return readAppliedMigrations(url, { connectTimeoutSeconds: 2, statementTimeoutMs: 1500 });
  }
}

export function databaseUrlFromSecret(value: string): string | undefined {
  const text = value.trim();
  if (/^postgres(ql)?:\/\//.test(text)) return text;
  try {
    const parsed = JSON.parse(text) as Record<string, unknown>;
    const url = parsed.DATABASE_URL ?? parsed.url;
    return typeof url === 'string' && /^postgres(ql)?:\/\//.test(url) ? url : undefined;
  } catch {
    return undefined;
  }
}
