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

  it('names every operation (a unique operationId) and declares every error as application/problem+json', async () => {
    const doc = JSON.parse(await generateOpenApiJson());
    type Op = { operationId?: string; security?: unknown[]; responses: Record<string, { content?: Record<string, unknown> }> };
    const ids: string[] = [];
    for (const [path, ops] of Object.entries<Record<string, Op>>(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        expect(op.operationId, `${method} ${path}`).toMatch(/^[a-z][A-Za-z]+$/);
        ids.push(op.operationId!);
        for (const [status, res] of Object.entries(op.responses)) {
          // The readiness probe's 503 is its status document, the form probes read.
          if (Number(status) >= 400 && op.security?.length !== 0)
            expect(Object.keys(res.content ?? {}), `${method} ${path} ${status}`).toEqual(['application/problem+json']);
          if (status === '304') expect(res.content, `${method} ${path} 304 has no body`).toBeUndefined();
        }
      }
    }
    expect(new Set(ids).size).toBe(ids.length);
    // The 409 a salesperson's client handles is typed: its extension members are named.
    const infeasible = doc.components.schemas.ScheduleInfeasibleProblem;
    expect(Object.keys(infeasible.properties)).toEqual(expect.arrayContaining(['earliestPromiseDate', 'capacityNeeded', 'lateOrders']));
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
