import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** DATABASE_URL from the environment, else from database/.env (the platform's convention). */
export function databaseUrlFromEnvironment(): string | undefined {
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
  const envFile = fileURLToPath(new URL('.env', import.meta.url));
  if (existsSync(envFile)) process.loadEnvFile(envFile);
  return process.env.DATABASE_URL;
}
