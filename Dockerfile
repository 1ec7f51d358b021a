# One image for every role: `cli/start.ts boot-server|worker|bot`, or `all` in one process.
FROM node:20-bookworm-slim AS deps
# node-gyp builds the sendfile addon (native/sendfile/) during npm ci with these, against the headers the
# image ships beside node; only this stage has them. Without them the install still succeeds and the
# boot server serves /files/ through its JavaScript path.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
COPY native ./native
RUN npm ci --omit=dev

FROM node:20-bookworm-slim
# grub-mkstandalone and GRUB's x86_64-efi modules: the boot server builds the UEFI local-boot loader.
RUN apt-get update && apt-get install -y --no-install-recommends grub-efi-amd64-bin \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=deps /app/native ./native
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
