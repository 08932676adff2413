import { BUDGET, sdkTimeouts } from '../deadline.ts';
import { describeAwsError, lazySdk } from './lazy-sdk.ts';

// Secrets Manager behind one call. The SDK loads on first use: most cold starts never need it.
const loadSdk = lazySdk(() => import('@aws-sdk/client-secrets-manager'));

export type SecretRead = { ok: true; value: string } | { ok: false; reason: string };

export async function readSecretString(secretId: string, region: string): Promise<SecretRead> {
  try {
    const sdk = await loadSdk();
    const client = new sdk.SecretsManagerClient({ region, ...sdkTimeouts(BUDGET.secrets) });
    const value = (await client.send(new sdk.GetSecretValueCommand({ SecretId: secretId }))).SecretString;
    if (value === undefined) return { ok: false, reason: `Secret ${secretId} has no string value.` };
    return { ok: true, value };
  } catch (error) {
    return { ok: false, reason: `Cannot read secret ${secretId}: ${describeAwsError(error)}` };
  }
}
