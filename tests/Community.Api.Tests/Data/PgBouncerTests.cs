using Microsoft.Extensions.DependencyInjection;
using Community.Api.Data;
using Community.Api.Hosting;
using Community.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace Community.Api.Tests.Data;

/// <summary>
/// The service behind PgBouncer in transaction pooling mode, where consecutive transactions of one client connection
/// land on different server connections. Here the URL even asks Npgsql to prepare statements automatically, which
/// breaks behind such a pooler (a statement prepared on one server connection is unknown on the next);
/// <c>Database:TransactionPooling</c> must win. The database starts empty, so the migrations ran through the pooler too.
/// The races, the feed and the webhook claims run through PgBouncer as well (their <c>…OnPgBouncer</c> classes).
/// </summary>
public sealed class PgBouncerTests(PreparingPgBouncerApp app) : ApiTest(app), IClassFixture<PreparingPgBouncerApp>
{
    [Fact]
    public async Task MigrationsApplyThroughThePoolerOnAnEmptyDatabase()
    {
        var applied = await App.Db(db => db.Database.GetAppliedMigrationsAsync(Ct));
        await using var scope = App.Services.CreateAsyncScope();
        Assert.Equal(scope.ServiceProvider.GetRequiredService<CommunityDb>().Database.GetMigrations(), applied);
        await App.Community();
    }

    [Fact]
    public async Task RepeatedQueriesFromManyRequestsNeverMeetAStatementPreparedOnAnotherServerConnection()
    {
        var client = App.Service();
        for (var round = 0; round < 5; round++)
        {
            var responses = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => i % 4 == 0
                ? client.Post("/api/v1/communities", new { name = Unique(), owner = new { platform = "twitch", platform_user_id = Unique("o") } })
                : client.GetAsync("/api/v1/communities?limit=5", Ct)));
            foreach (var response in responses)
                Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(Ct)}");
        }
    }

    [Fact]
    public void TheSettingTurnsOffPreparationAndResetWhateverTheUrlSays()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["DATABASE_URL"] = "postgresql://app@db:6432/community?Max%20Auto%20Prepare=50",
            ["DATABASE_READ_URL"] = "postgresql://app@replica:6432/community?Max%20Auto%20Prepare=50",
            ["Database:TransactionPooling"] = "true",
        }).Build();
        var settings = DatabaseSettings.FromConfiguration(config, "/tmp");
        foreach (var connectionString in new[] { settings.ConnectionString, settings.ReadConnectionString! })
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            Assert.Equal(0, builder.MaxAutoPrepare);
            Assert.True(builder.NoResetOnClose);
        }

        config["Database:TransactionPooling"] = "false";
        Assert.Equal(50, new NpgsqlConnectionStringBuilder(DatabaseSettings.FromConfiguration(config, "/tmp").ConnectionString).MaxAutoPrepare);
        config["Database:TransactionPooling"] = "yes";
        Assert.Throws<StartupConfigurationException>(() => DatabaseSettings.FromConfiguration(config, "/tmp"));
        config["DATABASE_URL"] = "sqlite:data/x.db";
        config["DATABASE_READ_URL"] = null;
        config["Database:TransactionPooling"] = "true";
        Assert.Throws<StartupConfigurationException>(() => DatabaseSettings.FromConfiguration(config, "/tmp"));
    }
}

/// <summary>An empty database behind PgBouncer, its URL asking for automatic preparation after one use.</summary>
public sealed class PreparingPgBouncerApp : PgBouncerApp
{
    protected override async Task<string?> CreateDatabaseAsync()
    {
        var server = await PostgresServer.GetAsync();
        var bouncer = await PgBouncer.GetAsync();
        SkipReason = server.SkipReason ?? bouncer.SkipReason;
        if (SkipReason is not null) return null;
        return bouncer.Route(await server.CreateEmptyDatabaseAsync()) + "?Max%20Auto%20Prepare=20&Auto%20Prepare%20Min%20Usages=1";
    }
}
