import { ROLES, type Role } from '../domain/actor.ts';
import { createApiKey, listApiKeys, revokeApiKey } from '../domain/api-keys.ts';
import { openRuntime } from '../runtime.ts';
import { principal } from '../schemas/common.ts';
import { parseCli } from './args.ts';

const usage = `Usage:
  npm run keys -- create --role <${ROLES.join('|')}> [--name NAME] [--principal ID] [--plant ID ...]
  npm run keys -- list
  npm run keys -- revoke <key id>`;

const { positionals, values } = parseCli(
  usage,
  { role: { type: 'string' }, name: { type: 'string' }, principal: { type: 'string' }, plant: { type: 'string', multiple: true } },
  true,
);

const [command, arg] = positionals;
if (!command || !['create', 'list', 'revoke'].includes(command)) {
  console.error(usage);
  process.exit(2);
}
if (command === 'create' && !ROLES.includes(values.role as Role)) {
  console.error(`--role must be one of ${ROLES.join(', ')}\n${usage}`);
  process.exit(2);
}

if (command === 'create' && values.principal !== undefined && !principal.safeParse(values.principal).success) {
  console.error(`--principal: ${principal.safeParse(values.principal).error?.issues[0]?.message}\n${usage}`);
  process.exit(2);
}

const { handle } = await openRuntime();
try {
  if (command === 'create') {
    const role = values.role as Role;
    const key = await createApiKey(handle.db, {
      name: values.name ?? `${role} (cli)`,
      role,
      principal: values.principal,
      plantIds: values.plant ?? null,
    });
    console.log(`Created ${key.role} key ${key.id} for ${key.principal}${key.plantIds ? ` in plants ${key.plantIds.join(', ')}` : ''}.`);
    console.log(`Secret (shown once, only its hash is stored):\n${key.key}`);
  } else if (command === 'list') {
    for (const k of await listApiKeys(handle.db)) {
      console.log(`${k.id}\t${k.role}\t${k.principal}\t${k.name}\t${k.plantIds?.join(',') ?? '*'}\t${k.revokedAt ? 'revoked' : 'active'}`);
    }
  } else if (!arg || !(await revokeApiKey(handle.db, arg, new Date()))) {
    console.error(`No active key ${arg ?? '(missing id)'}`);
    process.exitCode = 1;
  } else {
    console.log(`Revoked ${arg}`);
  }
} finally {
  await handle.close();
}
