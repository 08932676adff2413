import type { DryRunner } from '../dryrun/pglite-dry-run.ts';
import type { Output } from './terminal-text.ts';

// The dry run is the slow part of a review (PGlite compiles and boots PostgreSQL in WebAssembly:
// about 4 s before the first statement). On a terminal, say so on stderr while it runs, and
// erase the line afterwards; piped or in CI, print nothing, so stdout stays the report alone
// and logs carry no spinner frames.

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export function withProgress(runner: DryRunner, err: Output): DryRunner {
  if (err.isTTY !== true) return runner;
  return {
    async run(history, pending, context) {
      const started = performance.now();
      const label = `dry run: ${history.length ? `replaying ${history.length} applied migrations, then ` : ''}applying ${pending.length} on embedded PostgreSQL`;
      let frame = 0;
      const draw = () =>
        err.write(`\r\x1b[2K${FRAMES[frame++ % FRAMES.length]} ${label}  ${((performance.now() - started) / 1000).toFixed(1)} s`);
      draw();
      const timer = setInterval(draw, 120);
      try {
        return await runner.run(history, pending, context);
      } finally {
        clearInterval(timer);
        err.write('\r\x1b[2K');
      }
    },
  };
}
