# The Community Module's image: build with the .NET SDK, run on the ASP.NET Core runtime as a non-root user.
#   docker build -t waddlebot/core-community:1.0.0 .
# `dotnet publish src/Community.Api -t:PublishContainer` builds an equivalent image without Docker (see README).

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Restore first, from the project files alone, so that a source change does not repeat it. global.json stays out:
# it pins the SDK of a developer machine, not the one in this image.
COPY Directory.Build.props Directory.Packages.props ./
COPY src/Community.Api/Community.Api.csproj src/Community.Api/
RUN dotnet restore src/Community.Api/Community.Api.csproj
COPY src/ src/
RUN dotnet publish src/Community.Api/Community.Api.csproj --no-restore -c Release -o /app /p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
# MODULE_PORT is the service's port (the fleet's 8020). The base image's ASPNETCORE_HTTP_PORTS is cleared: the service
# binds MODULE_PORT itself, and both set would log a warning at every start.
ENV MODULE_PORT=8020 \
    ASPNETCORE_HTTP_PORTS=
COPY --from=build /app .
# The embedded SQLite default (./data) must be writable by the non-root user; with DATABASE_URL it stays empty.
RUN mkdir -p /app/data && chown "$APP_UID" /app/data
USER $APP_UID
EXPOSE 8020
# The service's own verb probes /healthz: no curl or shell in the image.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 CMD ["dotnet", "/app/Community.Api.dll", "healthcheck"]
ENTRYPOINT ["dotnet", "/app/Community.Api.dll"]
