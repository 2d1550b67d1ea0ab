import { existsSync } from 'node:fs';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';

/**
 * The repository (or installed package) root: the nearest folder above this file with a
 * package.json, so the default holds under tsx (src/http/plugins) and from the build
 * (dist/src/http/plugins) alike.
 */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
  return dir;
}

/** Where `npm run build:web` writes the web app (WEB_DIST_DIR overrides it). */
export const defaultWebDistDir = () => join(packageRoot(), 'web', 'dist');

const NOT_BUILT = 'the web app is not built: npm run build:web\n';
/** Vite names built assets by content hash, so they never change: cache them for good. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * Serves the built web board at /app (issue 17). A path with a file extension is a file of the
 * build (404 when missing); any other path under /app is a screen of the single-page app and
 * gets index.html, which the app routes itself. index.html is revalidated on every load, so a
 * new build is picked up at once. Without a build, /app answers 503 with how to make one.
 */
export async function webAppRoutes(app: FastifyInstance, { dir }: { dir: string }) {
  if (!existsSync(join(dir, 'index.html'))) {
    const notBuilt = async (_req: unknown, reply: FastifyReply) => reply.code(503).type('text/plain; charset=utf-8').send(NOT_BUILT);
    app.get('/app', { schema: { hide: true } }, notBuilt);
    app.get('/app/*', { schema: { hide: true } }, notBuilt);
    return;
  }
  const root = resolve(dir) + sep;
  const assets = join(root, 'assets') + sep;
  await app.register(fastifyStatic, {
    root: dir,
    serve: false,
    dotfiles: 'deny',
    setHeaders: (res, path) => {
      res.header('cache-control', path.startsWith(assets) ? IMMUTABLE : 'no-cache');
    },
  });
  const index = async (_req: unknown, reply: FastifyReply) => reply.sendFile('index.html');
  app.get('/app', { schema: { hide: true } }, index);
  app.get<{ Params: { '*': string } }>('/app/*', { schema: { hide: true } }, async (request, reply) => {
    const path = request.params['*'];
    if (extname(path) === '') return reply.sendFile('index.html');
    // Only files of the build: nothing outside it, no dotfiles.
    const file = resolve(dir, path);
    if (!file.startsWith(root) || path.split('/').some((s) => s.startsWith('.')) || !existsSync(file)) {
      return reply.code(404).type('text/plain; charset=utf-8').send('Not found\n');
    }
    return reply.sendFile(path);
  });
}
