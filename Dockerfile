# syntax=docker/dockerfile:1
# One multi-stage, non-root image per OpsBot service: the build arguments pick the project.
#   docker build --build-arg PROJECT=services/pnl-ingest/OpsBot.PnlIngest.csproj --build-arg ASSEMBLY=OpsBot.PnlIngest -t opsbot/pnl-ingest .
# docker-compose.yml builds every service this way.
ARG DOTNET_VERSION=10.0

# The project files alone: this stage copies the tree and deletes everything but *.csproj, Directory.*.props
# and global.json. Its own layers change with every commit, but its output changes only when a project
# file does, so the restore layer below is reused while only code changes.
FROM mcr.microsoft.com/dotnet/sdk:${DOTNET_VERSION} AS projects
WORKDIR /src
COPY . .
RUN find . -type f ! -name '*.csproj' ! -name 'Directory.*.props' ! -name 'global.json' -delete \
 && find . -depth -type d -empty -delete

FROM mcr.microsoft.com/dotnet/sdk:${DOTNET_VERSION} AS build
ARG PROJECT
WORKDIR /src
COPY --from=projects /src ./
# Restored for the runtime identifier and ReadyToRun the publish uses (this also fetches the crossgen2
# and runtime packs the SDK picks), so the publish below needs no restore of its own.
RUN dotnet restore "$PROJECT" -r linux-x64 -p:PublishReadyToRun=true
COPY contracts/ contracts/
COPY libs/ libs/
COPY services/ services/
COPY tools/ tools/
# ReadyToRun: the assemblies carry precompiled native code (crossgen2), so a new pod starts on it
# instead of JIT-compiling MassTransit, the Redis client and our code first (about half the methods
# compiled by /readyz); tiered compilation still re-optimises the hot methods. Framework-dependent: the aspnet base image
# brings the runtime. Why and what it saves: docs/architecture.md, docs/performance.md.
RUN dotnet publish "$PROJECT" -c Release --no-restore -r linux-x64 --self-contained false \
    -p:PublishReadyToRun=true -p:UseAppHost=false -o /app

FROM mcr.microsoft.com/dotnet/aspnet:${DOTNET_VERSION} AS runtime
ARG ASSEMBLY
WORKDIR /app
COPY --from=build /app ./
ENV HEALTH_PORT=8080 \
    DOTNET_gcServer=0 \
    ASSEMBLY=${ASSEMBLY}
EXPOSE 8080
# The image's unprivileged user (uid 1654); the file system can be mounted read-only.
USER $APP_UID
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${HEALTH_PORT} && printf 'GET /readyz HTTP/1.0\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200'"]
ENTRYPOINT ["sh", "-c", "exec dotnet \"$ASSEMBLY.dll\""]
