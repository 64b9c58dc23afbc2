# geored in a container: the compiled build (dist/), run as a non-root user.
#   docker build -t geored .
#   docker run --network host -e GEORED_API_TOKEN=... -v $PWD/config.yml:/etc/geored/config.yml:ro geored
# (The CI machines have no Docker engine: `npm test` checks this file's paths and commands against the
# repository, but nothing here has been built by CI. See README "Deployment".)

# --- build: every dependency, compile to dist/ and the admin panel to web/dist/, then drop the development
# dependencies ---
FROM node:20-bookworm-slim AS build
WORKDIR /opt/geored
# better-sqlite3 compiles its native module when no prebuilt binary matches.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
    && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
COPY web ./web
RUN npm ci && npm prune --omit=dev

# --- runtime: node, the compiled build and the production dependencies only ---
FROM node:20-bookworm-slim
WORKDIR /opt/geored
# iputils-ping serves the icmp_ping health check.
RUN apt-get update && apt-get install -y --no-install-recommends iputils-ping \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system geored && useradd --system --gid geored --home-dir /var/lib/geored geored \
    && mkdir -p /var/lib/geored /etc/geored && chown geored:geored /var/lib/geored
COPY --from=build /opt/geored/node_modules ./node_modules
COPY --from=build /opt/geored/dist ./dist
COPY --from=build /opt/geored/web/dist ./web/dist
COPY package.json ./
COPY bin ./bin
ENV NODE_ENV=production
USER geored
WORKDIR /var/lib/geored
EXPOSE 5060/udp 5060/tcp 5061/tcp 8080/tcp
# /healthz answers without a token; the API listens where server.api.listen says (8080 by default).
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/healthz').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "/opt/geored/bin/geored.js"]
CMD ["serve", "--config", "/etc/geored/config.yml"]
