# syntax=docker/dockerfile:1
# The API as a container image: built with pnpm, run as `node dist/main.js` by an unprivileged user
# behind tini. No Docker daemon is reachable in this project's CI, so this file is not built there
# (README, "Deploying"); the same steps (pnpm deploy, node dist/main.js) run in the cluster test.
#
#   docker build -t apps-api .
#   docker run --rm -p 3000:3000 -e DATABASE_URL=postgres://user:pass@db:5432/apps apps-api

ARG NODE_IMAGE=node:20.20.2-bookworm-slim

FROM ${NODE_IMAGE} AS build
RUN npm install --global --no-fund --no-audit pnpm@12.4.2
WORKDIR /repo
# Manifests first: the dependency layer is rebuilt only when they change.
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./
COPY apps/api/package.json apps/api/
COPY packages/contract/package.json packages/contract/
RUN --mount=type=cache,id=pnpm-store,target=/root/.local/share/pnpm/store \
    pnpm install --frozen-lockfile --filter "@apps-api/api..."
COPY . .
# esbuild bundles the server and the workspace's TypeScript into dist/main.js; `pnpm deploy --prod`
# then gives the package with its production dependencies only.
RUN --mount=type=cache,id=pnpm-store,target=/root/.local/share/pnpm/store \
    pnpm --filter @apps-api/api build \
    && pnpm --filter @apps-api/api deploy --prod /out

FROM ${NODE_IMAGE} AS runtime
RUN apt-get update \
    && apt-get install -y --no-install-recommends tini \
    && rm -rf /var/lib/apt/lists/* \
    && mkdir /data && chown node:node /data
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data
WORKDIR /app
# Owned by root and read-only to the process; only /data (the embedded database, when no DATABASE_URL) is its own.
COPY --from=build /out/package.json ./
COPY --from=build /out/node_modules ./node_modules
COPY --from=build /out/dist/main.js ./dist/main.js
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.PORT + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# tini is PID 1: it hands SIGTERM to node (which drains and exits 0) and reaps any orphan.
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/main.js"]
