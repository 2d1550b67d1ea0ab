import type { FastifyPluginAsync } from 'fastify';

/**
 * What a newcomer opening the server's address needs: where the docs and the contract are.
 * Public and hidden from the contract, like the OpenAPI document itself.
 */
export const rootRoutes: FastifyPluginAsync = async (app) => {
  app.get('/', { config: { rateLimit: false }, schema: { hide: true } }, async () => ({
    name: 'Drumbeat API',
    docs: '/docs',
    openapi: '/openapi.json',
    health: '/healthz',
    bufferBoard: '/v1/plants/{plant}/buffer-board',
  }));
};
