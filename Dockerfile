# syntax=docker/dockerfile:1
# Build stage: compiles TypeScript and the native modules (better-sqlite3 builds from source).
FROM node:20-bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ormconfig.ts ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

# Runtime stage: only the compiled app and production dependencies, as the unprivileged node user.
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    PORT=8080 \
    DATA_DIR=/data \
    DB_MIGRATIONS_RUN=false
WORKDIR /app
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node package.json ./
# Mints a management JWT from AUTH_JWT_SECRET(_FILE): `kubectl exec deploy/mfa -- node scripts/admin-token.mjs`.
COPY --chown=node:node scripts/admin-token.mjs ./scripts/
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 8080
VOLUME ["/data"]
HEALTHCHECK --interval=30s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+process.env.PORT+'/healthz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
# Migrations first (idempotent; replicas racing here are serialised by TypeORM's migrations table
# in a transaction), then the server.
CMD ["sh", "-c", "node dist/src/cli/migrate.js && exec node dist/src/main.js"]
