import { readFile, writeFile } from 'node:fs/promises';
import { generateClientTypes } from './client-types.ts';
import { generateOpenApiJson } from '../http/openapi-document.ts';
import { rolesTable, withRolesTable } from '../http/roles-table.ts';
import { parseCli } from './args.ts';

parseCli(
  'Usage: npm run openapi   (rewrites openapi/openapi.json, the typed client types client/schema.ts and the README roles table from the route schemas)',
  {},
);

const target = new URL('../../openapi/openapi.json', import.meta.url);
const json = await generateOpenApiJson();
await writeFile(target, json);
console.log(`wrote ${target.pathname}`);

const clientTypes = new URL('../../client/schema.ts', import.meta.url);
await writeFile(clientTypes, await generateClientTypes(json));
console.log(`wrote ${clientTypes.pathname}`);

// The README's table is Prettier-formatted after writing (npm run openapi runs prettier on it).
const readme = new URL('../../README.md', import.meta.url);
await writeFile(readme, withRolesTable(await readFile(readme, 'utf8'), rolesTable(JSON.parse(json) as Parameters<typeof rolesTable>[0])));
console.log(`wrote the roles table in ${readme.pathname}`);
