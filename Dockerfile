# geored in a container. Build: docker build -t geored .   (not built in CI: the CI machine has no Docker engine)
FROM node:20-bookworm-slim
WORKDIR /opt/geored
# better-sqlite3 builds its native module; iputils-ping serves the icmp_ping health check.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ iputils-ping \
    && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev
COPY bin ./bin
COPY src ./src
COPY tsconfig.json ./
ENV NODE_ENV=production
EXPOSE 5060/udp 5060/tcp 5061/tcp 8080/tcp
ENTRYPOINT ["node", "bin/geored.js"]
CMD ["serve", "--config", "/etc/geored/config.yml"]
