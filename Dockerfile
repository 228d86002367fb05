# syntax=docker/dockerfile:1
# One multi-stage, non-root image per OpsBot service: the build arguments pick the project.
#   docker build --build-arg PROJECT=services/pnl-ingest/OpsBot.PnlIngest.csproj --build-arg ASSEMBLY=OpsBot.PnlIngest -t opsbot/pnl-ingest .
# docker-compose.yml builds every service this way.
ARG DOTNET_VERSION=10.0

FROM mcr.microsoft.com/dotnet/sdk:${DOTNET_VERSION} AS build
ARG PROJECT
WORKDIR /src
# Restore first, from the project files only, so the layer is reused while only code changes.
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY contracts/ contracts/
COPY services/ services/
COPY tools/ tools/
RUN dotnet restore "$PROJECT"
RUN dotnet publish "$PROJECT" -c Release --no-restore -o /app /p:UseAppHost=false

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
