import { createDemoKeys, DEMO_PLANT, seedDemoPlant } from '../domain/demo.ts';
import { startServer } from '../server.ts';
import { parseCli } from './args.ts';

parseCli('Usage: npm run demo   (starts the service with the demo plant and prints fresh demo keys)', {});

// The demo prints its own banner; request logs would bury it (set LOG_LEVEL=info to see them).
process.env.LOG_LEVEL ??= 'warn';

await startServer(async (url, handle) => {
  const created = await seedDemoPlant(handle.db);
  const keys = await createDemoKeys(handle.db);
  const lines = [
    '',
    `Drumbeat is running on ${handle.kind === 'pglite' ? 'the embedded database (PGlite)' : 'PostgreSQL'}.`,
    `  API:      ${url}`,
    `  API docs: ${url}/docs`,
    `  Demo plant "${DEMO_PLANT}" ${created ? 'created' : 'already present'} (drum: cnc; products VALVE-50, VALVE-100, MANIFOLD-4).`,
    '  API keys (new on every demo start):',
    ...Object.entries(keys).map(([role, key]) => `    ${role.padEnd(8)} ${key}`),
    '',
    `  Try: curl -s -X POST ${url}/v1/plants/${DEMO_PLANT}/quotes -H "Authorization: Bearer ${keys.sales}" \\`,
    `         -H 'content-type: application/json' -d '{"sku":"VALVE-50","quantity":20}'`,
    '',
  ];
  console.log(lines.join('\n'));
});
