import { runAsProcess } from './process-entry.ts';
import { main } from './review.ts';

// Kept for dist/review.mjs, which the benchmark times; people run `deploybot review`.
runAsProcess(main);
