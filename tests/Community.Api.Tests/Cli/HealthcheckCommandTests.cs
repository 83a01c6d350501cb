using Community.Api.Tests.Hosting;
using Community.Api.Tests.Infrastructure;

namespace Community.Api.Tests.Cli;

/// <summary><c>healthcheck</c> against a real running instance: 0 when /healthz answers 200, 1 otherwise.</summary>
public sealed class HealthcheckCommandTests : CliTest
{
    [Fact]
    public async Task ARunningServiceOnModulePortIsHealthy()
    {
        await using var service = await ServiceProcess.ServeAsync(Directory, Production());

        // Only MODULE_PORT, as a container's HEALTHCHECK has it: the default URL is 127.0.0.1 on that port.
        var outcome = await RunAsync(new() { ["MODULE_PORT"] = $"{service.Port}" }, "healthcheck");

        AssertSucceeded(outcome);
        Assert.Matches("^(healthy|degraded): database ok, memory (ok|warning), cpu (ok|warning)$", Assert.Single(outcome.OutputLines));
    }

    [Fact]
    public async Task NothingListeningIsUnhealthy()
    {
        var url = $"http://127.0.0.1:{ServiceProcess.FreePort()}/healthz";
        var outcome = await RunAsync([], "healthcheck", "--url", url);
        Assert.Contains($"{url} cannot be reached", AssertOneSentenceFailure(outcome, "healthcheck"));
    }

    [Fact]
    public async Task AServiceWhoseDatabaseIsGoneIsUnhealthy()
    {
        var server = await PostgresServer.GetAsync();
        if (server.SkipReason is not null) Assert.Skip(server.SkipReason);
        var url = await server.CreateEmptyDatabaseAsync();
        await using var service = await ServiceProcess.ServeAsync(Directory, Production(("DATABASE_URL", url)));
        AssertSucceeded(await RunAsync([], "healthcheck", "--url", $"{service.BaseUrl}/healthz"));

        await server.DropDatabaseAsync(url);

        var outcome = await RunAsync([], "healthcheck", "--url", $"{service.BaseUrl}/healthz");
        var line = AssertOneSentenceFailure(outcome, "healthcheck");
        Assert.Contains("answered 503 unhealthy", line);
        Assert.Contains("database unreachable", line);
    }
}
