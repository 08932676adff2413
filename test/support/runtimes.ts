import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** Bun, as the migrations image runs it: the version the Dockerfile pins, installed from npm. */
export const BUN = join(dirname(require.resolve('bun/package.json')), 'bin', 'bun.exe');

/** Node with tsx, as `npm run db:migrate` and the dev server run the TypeScript sources. */
export const NODE_TSX = [process.execPath, '--import', 'tsx'] as const;
