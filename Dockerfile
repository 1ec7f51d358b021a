# One image for every role: `npm run boot-server|worker|bot` (or `npm start` for all in one).
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev

FROM node:20-bookworm-slim
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
CMD ["npm", "start"]
