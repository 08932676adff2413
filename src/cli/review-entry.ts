import { main } from './review.ts';

// `npm run review | head` closes the pipe early: that is the reader's choice, not a failure.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // A bug, not bad input: say so plainly, without a stack trace in the person's face.
    process.stderr.write(`review failed unexpectedly: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  },
);
