# Production image: TypeScript and the web board are compiled in the build stage; the runtime
# stage holds only production dependencies, dist/ and web/dist/, and runs `node` itself as PID
# 1's process so SIGTERM reaches the server (close-with-grace: stop accepting, finish in-flight requests, flush quote records).
# The command is the one test/integration/production-image.test.ts runs and stops with SIGTERM.

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY migrations ./migrations
# The web board (issue 17): `npm run build` also builds web/ into web/dist with Vite.
COPY web ./web
RUN npm run build

FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# Served at /app; the server finds it beside package.json (WEB_DIST_DIR overrides).
COPY --from=build /app/web/dist ./web/dist
# The embedded database (PGlite) used when DATABASE_URL is unset lives here, owned by the user
# the server runs as (it used to fail at start with EACCES). Mount a volume to keep it.
RUN mkdir -p /app/data && chown node:node /app/data
VOLUME ["/app/data"]
ENV HOST=0.0.0.0 PORT=3000 DATA_DIR=/app/data
EXPOSE 3000
USER node
# /readyz answers 200 once the database is reachable; node's own fetch, no curl in the image.
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Exec form: node is the container's main process and receives SIGTERM from `docker stop`
# directly (no npm/npx/shell in between to swallow it). Stop grace must exceed the server's own
# 10 s close deadline: docker stop -t 15 (compose: stop_grace_period).
CMD ["node", "dist/src/server.js"]
