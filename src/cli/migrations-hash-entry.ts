import { main } from './migrations-hash.ts';

process.exitCode = await main(process.argv.slice(2));
