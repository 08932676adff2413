import { setFlagsFromString } from 'node:v8';
import { escapeControlChars, type Output } from './terminal-text.ts';

type Main = (argv: string[], out: Output, err: Output) => Promise<number>;

/** Runs a command as a process: its exit status, a closed pipe, and no stack trace for a person. */
export function runAsProcess(main: Main): void {
  // WebAssembly (libpg-query's 1.7 MB parser, PGlite's Postgres) runs on V8's baseline compiler
  // only. By default V8 also compiles the modules with its optimizing tier on background threads
  // (https://v8.dev/blog/wasm-dynamic-tiering), and a process that has finished its work still
  // waits for them before it exits: measured on 2 cores, a one-statement review spent 120 ms
  // after its last parse doing nothing else, and whole runs were faster without it (5,000
  // statements 1.35 → 0.91 s, 50,000 statements 4.2 → 3.9 s, a cold `npm start` dry run 5.3 →
  // 4.3 s). A short-lived command never runs long enough to repay the optimizing tier. It must be
  // set before the first module compiles; only the command line does this, a library import or
  // a Lambda function keeps V8's default.
  setFlagsFromString('--liftoff-only');
  // `deploybot review | head` closes the pipe early: that is the reader's choice, not a failure.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  main(process.argv.slice(2), process.stdout, process.stderr).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      // A bug, not bad input: say so plainly, without a stack trace in the person's face.
      const message = error instanceof Error ? error.message : String(error);
      process.stderr.write(`deploybot failed unexpectedly: ${escapeControlChars(message)}\n`);
      process.exitCode = 2;
    },
  );
}
