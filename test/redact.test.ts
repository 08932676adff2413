import { describe, expect, it } from 'vitest';
import { redact } from '../src/redact.ts';

// Lines as they show up in CodeBuild logs, drizzle/postgres.js errors and SDK dumps.
const cases: [string, string, string[]][] = [
  [
    'postgres URL in a migrate log',
    '[Container] 2026/11/24 09:01:02 Running command DATABASE_URL=postgres://daadaar_app:Xk9%21pw@daadaar-prod.cluster-abc.us-east-1.rds.amazonaws.com:5432/daadaar npm run db:migrate',
    ['Xk9%21pw'],
  ],
  ['postgresql:// scheme', 'connecting to postgresql://admin:s3cr3t@10.0.3.17/daadaar?sslmode=require', ['s3cr3t']],
  ['libpq key=value', 'host=db.internal port=5432 user=daadaar password=hunter2 dbname=daadaar sslmode=require', ['hunter2']],
  ['PGPASSWORD export', 'export PGPASSWORD=correct-horse-battery', ['correct-horse-battery']],
  ['JSON secret string', '{"username":"daadaar","password":"p@ss w0rd!","host":"db"}', ['p@ss']],
  ['AWS access key id', 'Using credentials AKIAIOSFODNN7EXAMPLE from environment', ['AKIAIOSFODNN7EXAMPLE']],
  [
    'AWS secret access key',
    'AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY aws_session_token = FwoGZXIvYXdzEBYaDHqa0AP1ZiQh',
    ['wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'FwoGZXIvYXdzEBYaDHqa0AP1ZiQh'],
  ],
  ['Slack bot token', 'slack: posting with xoxb-2750148377-6021391811712-Ab3dEfGhIjKlMnOpQrStUvWx', ['xoxb-2750148377']],
  ['Slack app token', 'SLACK_APP_TOKEN=xapp-1-A0123456789-1234567890123-abcdef0123456789', ['xapp-1-A0123456789']],
  ['bearer header', 'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig_abc-123', ['eyJhbGciOiJIUzI1NiJ9']],
];

describe('redact', () => {
  for (const [name, line, secrets] of cases) {
    it(`hides the secret: ${name}`, () => {
      const out = redact(line);
      for (const secret of secrets) expect(out).not.toContain(secret);
      expect(out).toContain('[REDACTED');
    });
  }

  it('keeps what a reader needs: hosts, users, and error text without secrets', () => {
    expect(redact('postgres://daadaar_app:pw@db.internal:5432/daadaar')).toBe('postgres://daadaar_app:[REDACTED]@db.internal:5432/daadaar');
    for (const line of [
      'error: password authentication failed for user "daadaar_app"',
      'ALTER TABLE "individuals" RENAME COLUMN "biography" TO "bio";',
      '[Container] 2026/11/24 09:01:02 Phase complete: BUILD State: FAILED',
      'postgres://db.internal:5432/daadaar',
    ]) {
      expect(redact(line)).toBe(line);
    }
  });

  it('leaves no `>` beside the mask when a secret named NAME is `>` (fast-check found PGPASSWORD=> psql)', () => {
    expect(redact('PGPASSWORD=> psql -c "select 1"')).toBe('PGPASSWORD=[REDACTED] -c "select 1"');
    expect(redact('{ password => hunter2 }')).toBe('{ password =[REDACTED] }');
  });

  it("reads a quoted value to the end of the shell's reading when libpq's closes first (fast-check found PGPASSWORD='\\'\\'' ')", () => {
    // The shell reads '\' then \' then ' ': the password `\' ` in full; libpq stops at the space.
    expect(redact(`PGPASSWORD='\\'\\'' ' psql`)).toBe('PGPASSWORD=[REDACTED] psql');
  });

  it('redacts every occurrence in a multi-line tail', () => {
    const tail = ['a postgres://u:one@h/d', 'b postgres://u:two@h/d', 'c xoxb-1111111111-2222222222-abcdefabcdef'].join('\n');
    const out = redact(tail);
    expect(out).not.toMatch(/one|two|abcdefabcdef/);
    expect(out.split('\n')).toHaveLength(3);
  });
});
