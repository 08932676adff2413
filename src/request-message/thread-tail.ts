import { redact } from '../redact.ts';
import { describeRunnerReport, parseRunnerLine } from '../runner-report.ts';

// Which lines of a build's log the request's thread may show. A deny-list of secret shapes
// cannot be complete, and the log holds whatever any tool printed (a stack trace, a Postgres
// DETAIL with a user's row), so the thread shows an allow-list: what our own runner reports
// (src/runner-report.ts: its sentences and Postgres errors reduced to names) and CodeBuild's
// own phase lines. Every other line is only counted; the full log stays in CloudWatch, behind
// AWS access. Shown lines are redacted all the same, as defence in depth.

/** A shown line is cut to this; CodeBuild prints a whole multi-line command on "Running command". */
const LONGEST_SHOWN = 500;

// CodeBuild's agent: `[Container] 2026/11/24 09:01:02.123456 <message>`, for the messages that
// say where the build is and why it stopped.
const CODEBUILD_PHASE_LINE =
  /^\[Container\] \d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2}(?:\.\d{1,9})? (?:Entering phase [A-Z_]{1,32}$|Phase complete: [A-Z_]{1,32} State: [A-Z_]{1,32}$|Phase context status code: |Running command |Command did not exit successfully )/;

export interface ThreadTail {
  /** Runner reports (described) and CodeBuild phase lines, oldest first, redacted. */
  shown: string[];
  /** Lines of other output in the window read, not shown. */
  omitted: number;
}

/** The last `max` lines the thread may show of the log lines read, and how many others there were. */
export function threadTail(lines: readonly string[], max: number): ThreadTail {
  const shown: string[] = [];
  let omitted = 0;
  for (const raw of lines) {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') continue;
    const report = parseRunnerLine(line);
    if (report) shown.push(cut(redact(describeRunnerReport(report))));
    else if (CODEBUILD_PHASE_LINE.test(line.slice(0, 200))) shown.push(cut(redact(line)));
    else omitted++;
  }
  return { shown: shown.slice(-max), omitted };
}

function cut(line: string): string {
  return line
    .split('\n')
    .map((l) => (l.length > LONGEST_SHOWN ? `${l.slice(0, LONGEST_SHOWN - 1)}…` : l))
    .join('\n');
}
