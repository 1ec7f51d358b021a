# One image for every role: `cli/start.ts boot-server|worker|bot`, or `all` in one process.
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev

FROM node:20-bookworm-slim
# grub-mkstandalone and GRUB's x86_64-efi modules: the boot server builds the UEFI local-boot loader.
RUN apt-get update && apt-get install -y --no-install-recommends grub-efi-amd64-bin \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.json ./
COPY core ./core
COPY bot ./bot
COPY boot-server ./boot-server
COPY worker ./worker
COPY cli ./cli
COPY templates ./templates
COPY migrations ./migrations
COPY slack ./slack
COPY openapi.yaml ./
USER node
EXPOSE 8080 8081
# node directly, not npm: npm does not forward SIGTERM, and the app drains on it.
CMD ["node", "--import", "tsx", "cli/start.ts", "all"]
