import { writeFile } from 'node:fs/promises';
import { generateOpenApiJson } from '../http/openapi-document.ts';
import { parseCli } from './args.ts';

parseCli('Usage: npm run openapi   (rewrites openapi/openapi.json from the route schemas)', {});

const target = new URL('../../openapi/openapi.json', import.meta.url);
await writeFile(target, await generateOpenApiJson());
console.log(`wrote ${target.pathname}`);
