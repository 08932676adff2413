# syntax=docker/dockerfile:1
# The migrations image: what the daadaar-migrations CodeBuild project pulls ($IMAGE_URI) and
# runs with `docker run IMAGE bun FILE` (infrastructure/aws/codebuild-migrations.buildspec.yml):
# the plan verifier, the migrate entry and the seed, with the migrations they apply. A test
# (test/infrastructure/dockerfile.test.ts) checks that every file those commands load is copied.
#
#   docker build -t daadaar-migrations .
#
# Two stages: npm installs the production dependencies exactly as package-lock.json pins them
# (the lockfile this repository keeps and CI holds to `npm ci`), and the runtime is Bun, as the
# platform runs its backend and its migrate entry (bun runs the TypeScript sources directly,
# so the image needs no build step and runs the very files that were reviewed).

ARG NODE_VERSION=22
ARG BUN_VERSION=1.2.23

FROM node:${NODE_VERSION}-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the runtime needs no native build; nothing from the registry runs here.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM oven/bun:${BUN_VERSION}-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./package.json
COPY backend/drizzle ./backend/drizzle
COPY database ./database
COPY src ./src
# The image's own user, not root: it only reads these files and talks to PostgreSQL.
USER bun
CMD ["bun", "src/cli/verify-plan-entry.ts", "--help"]
