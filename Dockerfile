# syntax=docker/dockerfile:1
# MarketWatch: one image, any number of instances sharing one PostgreSQL.

# 1. Front-end assets (esbuild): wwwroot-src/ -> MarketWatch.Web/wwwroot/dist/
FROM node:20-bookworm-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY wwwroot-src/ wwwroot-src/
RUN npm run build

# 2. The app
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props MarketWatch.sln ./
COPY MarketWatch.Web/MarketWatch.Web.csproj MarketWatch.Web/
RUN dotnet restore MarketWatch.Web/MarketWatch.Web.csproj
COPY MarketWatch.Web/ MarketWatch.Web/
# The bundles (dist/) and the service worker (sw.js, at the root for its scope).
COPY --from=assets /src/MarketWatch.Web/wwwroot/ MarketWatch.Web/wwwroot/
RUN dotnet publish MarketWatch.Web/MarketWatch.Web.csproj -c Release -o /app --no-restore

# 3. Runtime: ASP.NET Core image, non-root user, port 8080
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
# Share-preview images draw with DejaVu Sans (Latin and Arabic glyphs), loaded by path (see docs/operations.md).
RUN apt-get update && apt-get install -y --no-install-recommends fonts-dejavu-core && rm -rf /var/lib/apt/lists/*
COPY --from=build /app ./
# Behind a proxy, but only a proxy the operator names may say who the client is: with App__KnownProxies and
# App__KnownNetworks unset only loopback is trusted, so X-Forwarded-For from anyone else is ignored (the client is the
# peer address). AllowedHosts: set it to your public host(s) (-e AllowedHosts=marketwatch.example); the image cannot
# know them. App__BaseUrl is required: the app refuses to start without it. See docs/deploy.md.
ENV ASPNETCORE_ENVIRONMENT=Production \
    ASPNETCORE_HTTP_PORTS=8080 \
    DOTNET_RUNNING_IN_CONTAINER=true \
    App__BehindProxy=true \
    App__KnownProxies="" \
    App__KnownNetworks="" \
    AllowedHosts="*"
EXPOSE 8080
USER $APP_UID
ENTRYPOINT ["dotnet", "MarketWatch.Web.dll"]
