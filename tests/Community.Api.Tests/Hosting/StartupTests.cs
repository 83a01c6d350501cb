using System.Net;
using System.Net.Sockets;
using Community.Api.Data;
using Community.Api.Hosting;
using Community.Api.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace Community.Api.Tests.Hosting;

/// <summary>
/// The built service started as a real process, as an operator would: bad configuration stops it with
/// exit code 1 and one sentence on stderr saying what to fix.
/// </summary>
public sealed class StartupTests : IDisposable
{
    private const string ValidKey = "startup-test-key-0123456789";
    private const string ValidEncryptionKey = "dGVzdC1lbmNyeXB0aW9uLWtleS0zMi1ieXRlcy1vayE=";

    private readonly string _directory = Directory.CreateTempSubdirectory("community-startup-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string SqliteUrl => $"sqlite:{Path.Combine(_directory, "community.db")}";

    private static Dictionary<string, string> WithKey(Dictionary<string, string> env)
    {
        env["Auth__ApiKeys__0__Name"] = "ops";
        env["Auth__ApiKeys__0__Key"] = ValidKey;
        env["Auth__ApiKeys__0__Scopes__0"] = "*";
        return env;
    }

    private Dictionary<string, string> Production(string? databaseUrl = null)
    {
        var env = WithKey(new() { ["ASPNETCORE_ENVIRONMENT"] = "Production", ["ENCRYPTION_KEY"] = ValidEncryptionKey });
        if (databaseUrl is not null) env["DATABASE_URL"] = databaseUrl;
        return env;
    }

    /// <summary>Runs the service in an empty directory with only <paramref name="env"/> as its configuration.</summary>
    private Task<ProcessOutcome> RunAsync(Dictionary<string, string> env, params string[] args) => ServiceProcess.RunAsync(_directory, env, args);

    private async Task AssertRefusesToStart(Dictionary<string, string> env, params string[] mentions)
    {
        var outcome = await RunAsync(env);
        Assert.True(outcome.ExitCode == 1, outcome.ToString());
        var line = Assert.Single(outcome.ErrorLines);
        Assert.StartsWith("community_module cannot start: ", line);
        foreach (var mention in mentions) Assert.Contains(mention, line);
    }

    [Fact]
    public Task AMySqlDatabaseUrlIsRefused() =>
        AssertRefusesToStart(new() { ["ASPNETCORE_ENVIRONMENT"] = "Production", ["DATABASE_URL"] = "mysql://x" }, "DATABASE_URL", "postgresql://");

    [Fact]
    public Task ProductionWithoutKeysOrJwtSecretIsRefused() =>
        AssertRefusesToStart(new() { ["ASPNETCORE_ENVIRONMENT"] = "Production", ["DATABASE_URL"] = SqliteUrl, ["ENCRYPTION_KEY"] = ValidEncryptionKey },
            "Auth__ApiKeys", "Auth__Jwt__Secret");

    [Fact]
    public Task ANonNumericModulePortIsRefused() =>
        AssertRefusesToStart(Production(SqliteUrl).With("MODULE_PORT", "abc"), "MODULE_PORT", "'abc'");

    [Fact]
    public Task AHealthThresholdOutsideOneToAHundredIsRefused() =>
        AssertRefusesToStart(Production(SqliteUrl).With("Health__CpuPercent", "0"), "Health:CpuPercent");

    [Fact]
    public Task ANegativeCompactionIntervalIsRefused() =>
        AssertRefusesToStart(Production(SqliteUrl).With("Memory__CompactionIntervalSeconds", "-1"), "Memory:CompactionIntervalSeconds");

    [Fact]
    public Task TheRelayTurnedOnWithoutRedisIsRefused() =>
        AssertRefusesToStart(Production(SqliteUrl).With("Relay__Enabled", "true"), "Relay:Enabled", "REDIS_URL");

    [Fact]
    public Task ARelayBatchOutsideOneToAThousandIsRefused() =>
        AssertRefusesToStart(Production(SqliteUrl).With("Relay__BatchSize", "0"), "Relay:BatchSize");

    [Fact]
    public Task ProductionWithoutAnEncryptionKeyIsRefused() =>
        AssertRefusesToStart(WithKey(new() { ["ASPNETCORE_ENVIRONMENT"] = "Production", ["DATABASE_URL"] = SqliteUrl }), "ENCRYPTION_KEY");

    [Fact]
    public Task AnEncryptionKeyOfTheWrongLengthIsRefused() =>
        AssertRefusesToStart(Production(SqliteUrl).With("ENCRYPTION_KEY", "c2hvcnQ="), "ENCRYPTION_KEY", "32 bytes");

    [Fact]
    public Task ASqlitePathUnderAnExistingFileIsRefused()
    {
        var file = Path.Combine(_directory, "not-a-directory");
        File.WriteAllText(file, "");
        return AssertRefusesToStart(Production($"sqlite:{file}/x.db"), file, "DATABASE_URL");
    }

    [Fact]
    public async Task APortAlreadyInUseIsRefused()
    {
        // Every interface, as the service binds: its [::] socket (dual-stack) cannot share the port.
        using var other = new TcpListener(IPAddress.Any, 0);
        other.Start();
        var port = ((IPEndPoint)other.LocalEndpoint).Port;
        await AssertRefusesToStart(Production(SqliteUrl).With("MODULE_PORT", $"{port}"), $":{port}", "address already in use", "MODULE_PORT");
    }

    [Fact]
    public async Task AMistypedCommandDoesNotStartTheService()
    {
        var outcome = await RunAsync(Production(SqliteUrl), "mgirate");
        Assert.True(outcome.ExitCode == 1, outcome.ToString());
        Assert.Equal("community_module cannot start: unknown command or argument 'mgirate'; run with --help to see the commands.", Assert.Single(outcome.ErrorLines));
    }

    [Fact]
    public async Task TheMigrateCommandPreparesTheDatabaseAndExits()
    {
        var outcome = await RunAsync(Production(SqliteUrl), "migrate");
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.True(new FileInfo(Path.Combine(_directory, "community.db")).Length > 0);
    }

    [Fact]
    public async Task ServingStopsCleanlyOnSigterm()
    {
        await using var service = await ServiceProcess.ServeAsync(_directory, Production(SqliteUrl));
        Assert.Equal(0, await service.TerminateAsync());
        Assert.Contains("Application is shutting down", service.Output);
    }

    [Fact]
    public async Task ServingWritesNoKeyRingIntoTheHomeDirectory()
    {
        // ASP.NET's Data Protection would load, or else create, an XML key ring under $HOME/.aspnet at start: nothing
        // here uses it, and the Helm chart's root filesystem is read-only.
        var home = Directory.CreateDirectory(Path.Combine(_directory, "home")).FullName;
        var env = Production(SqliteUrl);
        env["HOME"] = home;
        await using var service = await ServiceProcess.ServeAsync(_directory, env);
        Assert.Equal(0, await service.TerminateAsync());
        Assert.Empty(Directory.EnumerateFileSystemEntries(home));
        Assert.DoesNotContain("DataProtection", service.Output);
    }

    [Fact]
    public async Task SettingsAreReadFromTheApplicationsDirectoryWhereverItIsStarted()
    {
        // Started from an empty directory: appsettings.json still sets EF Core's level to Warning, so no SQL is logged.
        var outcome = await RunAsync(Production(SqliteUrl), "migrate");
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.DoesNotContain("Executed DbCommand", outcome.Stdout);
        Assert.Contains("Database schema is up to date", outcome.Stdout);

        // And Development finds appsettings.Development.json (its development encryption key) from there too.
        var development = await RunAsync(new() { ["ASPNETCORE_ENVIRONMENT"] = "Development", ["DATABASE_URL"] = SqliteUrl }, "migrate");
        Assert.True(development.ExitCode == 0, development.ToString());
    }

    [Fact]
    public async Task SqliteRunsWithoutItsMemoryStatistics()
    {
        // With them on, every allocation inside SQLite takes one process-wide mutex (see SqliteConnectionSetup).
        var outcome = await RunAsync(Production(SqliteUrl).With("LOG_LEVEL", "DEBUG"), "migrate");
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Contains("SQLite memory statistics are off", outcome.Stdout);
    }

    [Fact]
    public async Task WithoutADatabaseUrlTheSqliteFileIsUnderDataInTheWorkingDirectory()
    {
        var outcome = await RunAsync(Production(), "migrate");
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.True(File.Exists(Path.Combine(_directory, "data", "community.db")));
        Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(ServiceProcess.Dll)!, "data", "community.db")));
    }

    [Fact]
    public async Task AFreshPostgresDatabaseIsMigratedWithoutAnErrorInTheLog()
    {
        var server = await PostgresServer.GetAsync();
        if (server.SkipReason is not null) Assert.Skip(server.SkipReason);
        var url = await server.CreateEmptyDatabaseAsync();
        try
        {
            var outcome = await RunAsync(Production(url), "migrate");
            Assert.True(outcome.ExitCode == 0, outcome.ToString());
            Assert.DoesNotContain("\"LogLevel\":\"Error\"", outcome.Stdout);
            Assert.DoesNotContain("Failed executing DbCommand", outcome.Stdout);
            Assert.DoesNotContain("Executed DbCommand", outcome.Stdout);
        }
        finally
        {
            await server.DropDatabaseAsync(url);
        }
    }

    [Fact]
    public async Task AnUnreachablePostgresIsOneSentence()
    {
        var outcome = await RunAsync(Production($"postgresql://postgres@127.0.0.1:{ServiceProcess.FreePort()}/nowhere"), "migrate");
        Assert.True(outcome.ExitCode == 1, outcome.ToString());
        var line = Assert.Single(outcome.ErrorLines);
        Assert.StartsWith("community_module migrate: The database could not be prepared", line);
        Assert.DoesNotContain("   at ", outcome.Stdout);
    }
}

internal static class EnvironmentExtensions
{
    public static Dictionary<string, string> With(this Dictionary<string, string> env, string key, string value)
    {
        env[key] = value;
        return env;
    }
}

/// <summary>How <c>DATABASE_URL</c> and the .NET connection-string forms select and configure the database.</summary>
public sealed class DatabaseSettingsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("community-settings-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private DatabaseSettings Parse(params (string Key, string Value)[] settings) =>
        DatabaseSettings.FromConfiguration(
            new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))).Build(), _root);

    [Fact]
    public void PostgresqlUrlWithEscapedPasswordPortAndSslMode()
    {
        var settings = Parse(("DATABASE_URL", "postgresql://app%2Duser:p%40ss%3Aw%2Frd%25@db.internal:6543/community_db?sslmode=require"));
        Assert.Equal(DatabaseProvider.Postgres, settings.Provider);
        var cs = new NpgsqlConnectionStringBuilder(settings.ConnectionString);
        Assert.Equal(("db.internal", 6543, "community_db"), (cs.Host, cs.Port, cs.Database));
        Assert.Equal(("app-user", "p@ss:w/rd%"), (cs.Username, cs.Password));
        Assert.Equal(SslMode.Require, cs.SslMode);
        Assert.Null(settings.ReadConnectionString);
    }

    [Fact]
    public void PostgresSchemeWithDefaultPortAndNoPassword()
    {
        var settings = Parse(("DATABASE_URL", "postgres://me@localhost/db"));
        Assert.Equal(DatabaseProvider.Postgres, settings.Provider);
        var cs = new NpgsqlConnectionStringBuilder(settings.ConnectionString);
        Assert.Equal(("localhost", 5432, "db", "me"), (cs.Host, cs.Port, cs.Database, cs.Username));
        Assert.Null(cs.Password);
    }

    [Fact]
    public void PostgresConnectionsPrepareRepeatedStatementsAndKeepTheirSessionUnlessTheUrlSaysOtherwise()
    {
        var plain = new NpgsqlConnectionStringBuilder(Parse(("DATABASE_URL", "postgresql://u@db/x")).ConnectionString);
        Assert.Equal((DatabaseSettings.PreparedStatementsPerConnection, true), (plain.MaxAutoPrepare, plain.NoResetOnClose));
        var chosen = new NpgsqlConnectionStringBuilder(Parse(("DATABASE_URL", "postgresql://u@db/x?Max%20Auto%20Prepare=7")).ConnectionString);
        Assert.Equal(7, chosen.MaxAutoPrepare);
        var off = new NpgsqlConnectionStringBuilder(Parse(("DATABASE_URL", "postgresql://u@db/x"), ("Database:TransactionPooling", "false")).ConnectionString);
        Assert.Equal(DatabaseSettings.PreparedStatementsPerConnection, off.MaxAutoPrepare);
    }

    [Fact]
    public void OnlyLagTolerantReadsAreMultiplexedAndNotBehindATransactionPooler()
    {
        var direct = Parse(("DATABASE_URL", "postgresql://u@db/x"), ("DATABASE_READ_URL", "postgresql://u@replica/x"));
        Assert.Equal((false, false, true, true), (Multiplexed(direct.ConnectionString), Multiplexed(direct.ReadConnectionString!),
            Multiplexed(direct.ReadOnlyDbPrimary), Multiplexed(direct.ReadOnlyDbReplica!)));
        Assert.Equal(("db", "replica"), (new NpgsqlConnectionStringBuilder(direct.ReadOnlyDbPrimary).Host, new NpgsqlConnectionStringBuilder(direct.ReadOnlyDbReplica).Host));

        var pooled = Parse(("DATABASE_URL", "postgresql://u@db/x"), ("DATABASE_READ_URL", "postgresql://u@replica/x"), ("Database:TransactionPooling", "true"));
        Assert.Equal((pooled.ConnectionString, pooled.ReadConnectionString), (pooled.ReadOnlyDbPrimary, pooled.ReadOnlyDbReplica));
        Assert.False(Multiplexed(pooled.ReadOnlyDbPrimary));

        var sqlite = Parse(("DATABASE_URL", $"sqlite:{_root}/x.db"));
        Assert.Equal((sqlite.ConnectionString, null), (sqlite.ReadOnlyDbPrimary, sqlite.ReadOnlyDbReplica));

        static bool Multiplexed(string connectionString) => new NpgsqlConnectionStringBuilder(connectionString).Multiplexing;
    }

    [Fact]
    public void OnlyTheMultiplexedReadPoolWaitsAnHourBeforeShrinkingUnlessTheUrlSaysOtherwise()
    {
        var direct = Parse(("DATABASE_URL", "postgresql://u@db/x"), ("DATABASE_READ_URL", "postgresql://u@replica/x"));
        Assert.Equal((300, 300, DatabaseSettings.MultiplexedIdleLifetimeSeconds, DatabaseSettings.MultiplexedIdleLifetimeSeconds),
            (IdleLifetime(direct.ConnectionString), IdleLifetime(direct.ReadConnectionString!), IdleLifetime(direct.ReadOnlyDbPrimary), IdleLifetime(direct.ReadOnlyDbReplica!)));

        // Named either way Npgsql knows it: the URL's parameters pass through Npgsql's builder, which writes its own keyword.
        foreach (var keyword in new[] { "Connection%20Idle%20Lifetime", "ConnectionIdleLifetime" })
            Assert.Equal(300, IdleLifetime(Parse(("DATABASE_URL", $"postgresql://u@db/x?{keyword}=300")).ReadOnlyDbPrimary));

        var pooled = Parse(("DATABASE_URL", "postgresql://u@db/x"), ("Database:TransactionPooling", "true"));
        Assert.Equal(300, IdleLifetime(pooled.ReadOnlyDbPrimary));

        static int IdleLifetime(string connectionString) => new NpgsqlConnectionStringBuilder(connectionString).ConnectionIdleLifetime;
    }

    [Fact]
    public void TransactionPoolingTurnsPreparationOffWhateverTheUrlSaysAndAppliesOnlyToPostgres()
    {
        var settings = Parse(("DATABASE_URL", "postgresql://u@db/x?Max%20Auto%20Prepare=50"),
            ("DATABASE_READ_URL", "postgresql://u@replica/x?Max%20Auto%20Prepare=50"), ("Database:TransactionPooling", "True"));
        foreach (var connectionString in new[] { settings.ConnectionString, settings.ReadConnectionString! })
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            Assert.Equal((0, true), (builder.MaxAutoPrepare, builder.NoResetOnClose));
        }
        Assert.Throws<StartupConfigurationException>(() => Parse(("DATABASE_URL", "postgresql://u@db/x"), ("Database:TransactionPooling", "yes")));
        Assert.Throws<StartupConfigurationException>(() => Parse(("DATABASE_URL", $"sqlite:{_root}/x.db"), ("Database:TransactionPooling", "true")));
        Assert.DoesNotContain("Auto Prepare", Parse(("DATABASE_URL", $"sqlite:{_root}/x.db")).ConnectionString);
    }

    [Fact]
    public void ReadReplicaUrlIsParsedToo()
    {
        var settings = Parse(("DATABASE_URL", "postgresql://u:p@primary/db"), ("DATABASE_READ_URL", "postgresql://u:p@replica:5433/db"));
        var read = new NpgsqlConnectionStringBuilder(settings.ReadConnectionString);
        Assert.Equal(("replica", 5433), (read.Host, read.Port));
    }

    [Fact]
    public void SqliteUrlWithAnAbsolutePath()
    {
        var path = Path.Combine(_root, "nested", "file.db");
        var settings = Parse(("DATABASE_URL", $"sqlite:{path}"));
        Assert.Equal(DatabaseProvider.Sqlite, settings.Provider);
        Assert.Contains($"Data Source={path};", settings.ConnectionString);
        Assert.True(Directory.Exists(Path.GetDirectoryName(path)));
    }

    [Fact]
    public void SqliteUrlWithARelativePathIsUnderTheWorkingDirectory()
    {
        var settings = Parse(("DATABASE_URL", "sqlite:local/file.db"));
        Assert.Contains($"Data Source={Path.Combine(_root, "local", "file.db")};", settings.ConnectionString);
    }

    [Fact]
    public void UnsetIsAnEmbeddedSqliteFileUnderData()
    {
        var settings = Parse();
        Assert.Equal(DatabaseProvider.Sqlite, settings.Provider);
        Assert.Contains($"Data Source={Path.Combine(_root, "data", "community.db")};", settings.ConnectionString);
    }

    [Fact]
    public void DotNetConnectionStringWithProvider()
    {
        const string connectionString = "Host=h;Database=d;Username=u";
        var settings = Parse(("ConnectionStrings:Community", connectionString), ("Database:Provider", "postgres"));
        var pg = new NpgsqlConnectionStringBuilder(settings.ConnectionString);
        Assert.Equal((DatabaseProvider.Postgres, "h", "d", "u"), (settings.Provider, pg.Host, pg.Database, pg.Username));
        Assert.Equal(DatabaseProvider.Sqlite, Parse(("ConnectionStrings:Community", "Data Source=x.db"), ("Database:Provider", "sqlite")).Provider);
    }

    [Theory]
    [InlineData("DATABASE_URL", "mysql://x")]
    [InlineData("DATABASE_URL", "postgresql://host-without-database")]
    [InlineData("DATABASE_URL", "sqlite:")]
    [InlineData("DATABASE_URL", "postgresql://h/db?no_such_option=1")]
    [InlineData("DATABASE_READ_URL", "redis://cache:6379")]
    public void UnreadableSettingsStopStartUp(string key, string value)
    {
        var e = Assert.Throws<StartupConfigurationException>(() => Parse((key, value)));
        Assert.Contains(key, e.Message);
    }
}
