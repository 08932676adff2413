import { fileURLToPath } from 'node:url';
import { loadEnvFile } from '../src/env-file.ts';

/** DATABASE_URL from the environment, else from database/.env (the platform's convention). */
export function databaseUrlFromEnvironment(): string | undefined {
  if (!process.env.DATABASE_URL) loadEnvFile(fileURLToPath(new URL('.env', import.meta.url)));
  return process.env.DATABASE_URL;
}
