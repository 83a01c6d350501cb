using Community.Api.Tests.Hosting;
using Community.Api.Tests.Infrastructure;

namespace Community.Api.Tests.Cli;

/// <summary><c>check</c>: the service's own validation, then the database and Redis; one sentence and exit 1 on the first problem.</summary>
public sealed class CheckCommandTests : CliTest
{
    [Fact]
    public async Task AValidConfigurationAndAReachableDatabaseGiveASummary()
    {
        AssertSucceeded(await RunAsync(Production(), "migrate"));

        var outcome = await RunAsync(Production(), "check");

        AssertSucceeded(outcome);
        Assert.Empty(outcome.Stderr);
        Assert.Contains("configuration is valid for the Production environment", outcome.Stdout);
        Assert.Contains($"database:   SQLite file {SqliteFile}, reachable, schema up to date", outcome.Stdout);
        Assert.Contains("redis:      not configured", outcome.Stdout);
        Assert.Contains("1 service key(s) (ops)", outcome.Stdout);
        Assert.DoesNotContain(OpsKey, outcome.Stdout);
    }

    [Fact]
    public async Task AMissingSqliteFileIsReportedAndNotCreated()
    {
        var outcome = await RunAsync(Production(), "check");
        AssertSucceeded(outcome);
        Assert.Contains("does not exist yet", outcome.Stdout);
        Assert.False(File.Exists(SqliteFile));
    }

    [Theory]
    [InlineData("ENCRYPTION_KEY", "c2hvcnQ=", "ENCRYPTION_KEY must decode to exactly 32 bytes")]
    [InlineData("DATABASE_URL", "mysql://db/x", "DATABASE_URL must look like postgresql://")]
    [InlineData("REDIS_URL", "http://cache", "REDIS_URL must look like redis://")]
    [InlineData("Auth__ApiKeys__0__Key", "short", "shorter than 16 characters")]
    [InlineData("Webhooks__TimeoutSeconds", "0", "Webhooks")]
    public async Task InvalidConfigurationIsOneSentence(string key, string value, string mentions)
    {
        var outcome = await RunAsync(Production((key, value)), "check");
        Assert.Contains(mentions, AssertOneSentenceFailure(outcome, "check"));
    }

    [Fact]
    public async Task AnUnreachablePostgresIsOneSentence()
    {
        var port = ServiceProcess.FreePort();
        var outcome = await RunAsync(Production(("DATABASE_URL", $"postgresql://postgres@127.0.0.1:{port}/community")), "check");
        var line = AssertOneSentenceFailure(outcome, "check");
        Assert.Contains($"The database (PostgreSQL at 127.0.0.1:{port}/community) cannot be reached", line);
    }

    [Fact]
    public async Task AFreshPostgresDatabaseIsReachableWithMigrationsPending()
    {
        var server = await PostgresServer.GetAsync();
        if (server.SkipReason is not null) Assert.Skip(server.SkipReason);
        var url = await server.CreateEmptyDatabaseAsync();
        try
        {
            var outcome = await RunAsync(Production(("DATABASE_URL", url)), "check");
            AssertSucceeded(outcome);
            Assert.Matches(@"database:   PostgreSQL at 127\.0\.0\.1:\d+/t_\w+, reachable, \d+ migration\(s\) pending", outcome.Stdout);
        }
        finally
        {
            await server.DropDatabaseAsync(url);
        }
    }

    [Fact]
    public async Task AnUnreachableRedisIsOneSentence()
    {
        AssertSucceeded(await RunAsync(Production(), "migrate"));
        var port = ServiceProcess.FreePort();
        var outcome = await RunAsync(Production(("REDIS_URL", $"redis://127.0.0.1:{port}")), "check");
        Assert.Contains($"Redis at 127.0.0.1:{port} cannot be reached", AssertOneSentenceFailure(outcome, "check"));
    }

    [Fact]
    public async Task AReachableRedisIsInTheSummary()
    {
        var redis = await RedisServer.GetAsync();
        if (redis.SkipReason is not null) Assert.Skip(redis.SkipReason);
        AssertSucceeded(await RunAsync(Production(), "migrate"));
        var outcome = await RunAsync(Production(("REDIS_URL", redis.Url!)), "check");
        AssertSucceeded(outcome);
        Assert.Contains($"redis:      {new Uri(redis.Url!).Authority}, reachable", outcome.Stdout);
    }
}
