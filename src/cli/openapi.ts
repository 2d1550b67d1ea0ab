import { writeFile } from 'node:fs/promises';
import { generateOpenApiJson } from '../http/openapi-document.ts';

const target = new URL('../../openapi/openapi.json', import.meta.url);
await writeFile(target, await generateOpenApiJson());
console.log(`wrote ${target.pathname}`);
