import { escapeControlChars, type Output } from './terminal-text.ts';

type Main = (argv: string[], out: Output, err: Output) => Promise<number>;

/** Runs a command as a process: its exit status, a closed pipe, and no stack trace for a person. */
export function runAsProcess(main: Main): void {
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
