import { main } from './verify-plan.ts';

process.exitCode = await main(process.argv.slice(2));
