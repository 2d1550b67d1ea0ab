import { openRuntime } from '../runtime.ts';
import { parseCli } from './args.ts';

parseCli('Usage: npm run migrate   (applies pending migrations to DATABASE_URL, or the embedded database)', {});

const { handle } = await openRuntime();
console.log(`migrations applied (${handle.kind})`);
await handle.close();
