import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { generateOpenApiJson } from '../../src/http/openapi-document.ts';
import { rolesTable, ROLES_END, ROLES_START } from '../../src/http/roles-table.ts';

describe('the OpenAPI document', () => {
  it('committed openapi/openapi.json is current (run `npm run openapi` after changing routes or schemas)', async () => {
    const committed = await readFile(new URL('../../openapi/openapi.json', import.meta.url), 'utf8');
    const current = await generateOpenApiJson();
    expect(committed === current, 'openapi/openapi.json is stale: run `npm run openapi`').toBe(true);
  });

  it('documents error responses on every authenticated operation', async () => {
    const doc = JSON.parse(await generateOpenApiJson());
    expect(doc.openapi).toBe('3.1.0');
    for (const [path, ops] of Object.entries<Record<string, { security?: unknown[]; responses: Record<string, unknown> }>>(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        if (op.security?.length === 0) continue;
        expect(Object.keys(op.responses), `${method} ${path}`).toEqual(expect.arrayContaining(['401', '403']));
      }
    }
  });

  it("the README's roles table is current (run `npm run openapi` after changing a route's roles)", async () => {
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    const block = readme.slice(readme.indexOf(ROLES_START) + ROLES_START.length, readme.indexOf(ROLES_END));
    const cells = (table: string) =>
      table
        .trim()
        .split('\n')
        .filter((l) => !/^\|\s*:?-/.test(l))
        .map((l) => l.split('|').map((c) => c.trim()));
    expect(cells(block)).toEqual(cells(rolesTable(JSON.parse(await generateOpenApiJson()))));
  });
});
