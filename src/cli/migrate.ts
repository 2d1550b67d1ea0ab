import { openRuntime } from '../runtime.ts';

const { handle } = await openRuntime();
console.log(`migrations applied (${handle.kind})`);
await handle.close();
