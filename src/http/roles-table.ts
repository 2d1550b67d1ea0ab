import { ROLES } from '../domain/actor.ts';

interface Operation {
  summary?: string;
  'x-drumbeat-roles'?: string[];
}

export const ROLES_START = '<!-- roles:start -->';
export const ROLES_END = '<!-- roles:end -->';

/**
 * The README's access table, generated from the OpenAPI document's `x-drumbeat-roles` (which
 * comes from the routes' own config, the rule the auth hook enforces), so it cannot drift.
 */
export function rolesTable(openapi: { paths: Record<string, Record<string, Operation>> }): string {
  const rows = Object.entries(openapi.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => {
      const roles = op['x-drumbeat-roles'];
      const cells = ROLES.map((r) => (roles === undefined ? 'public' : roles.includes(r) ? '✓' : ''));
      return `| \`${method.toUpperCase()} ${path.replace(/^\/v1\/plants\/\{plant\}/, '…')}\` | ${op.summary ?? ''} | ${cells.join(' | ')} |`;
    }),
  );
  return [`| operation | what | ${ROLES.join(' | ')} |`, `| --- | --- | ${ROLES.map(() => ':-:').join(' | ')} |`, ...rows].join('\n');
}

/** `readme` with the text between the roles markers replaced by `table`. */
export function withRolesTable(readme: string, table: string): string {
  const start = readme.indexOf(ROLES_START);
  const end = readme.indexOf(ROLES_END);
  if (start < 0 || end < start) throw new Error(`README has no ${ROLES_START} … ${ROLES_END} block`);
  return `${readme.slice(0, start + ROLES_START.length)}\n\n${table}\n\n${readme.slice(end)}`;
}
