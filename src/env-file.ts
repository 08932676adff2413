import { existsSync, readFileSync } from 'node:fs';

/**
 * Reads a `.env` file into process.env: database/.env for DATABASE_URL (the platform's
 * convention) and the root .env of `npm run dev`.
 * `process.loadEnvFile` is Node's alone: Bun 1.2, the migrations image's runtime, has no such
 * function (calling it crashed `bun database/migrate.ts --local`), and Bun's own loading reads
 * only the working directory's .env. So one reader for both runtimes, with dotenv's rules:
 * KEY=value per line, `#` comments, an optional `export `, matching quotes stripped, `\n` in
 * double quotes; a variable already set wins over the file.
 */
export function loadEnvFile(path: string): void {
  if (!existsSync(path)) return;
  for (const line of readFileSync(path, 'utf8').split(/\r?\n/)) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!match) continue;
    const [, key = '', raw = ''] = match;
    const quote = raw[0];
    const quoted = raw.length >= 2 && (quote === '"' || quote === "'") && raw.endsWith(quote);
    let value = quoted ? raw.slice(1, -1) : raw.replace(/\s+#.*$/, '');
    if (quoted && quote === '"') value = value.replaceAll('\\n', '\n');
    process.env[key] ??= value;
  }
}
