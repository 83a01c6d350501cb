using System.Diagnostics;
using Community.Api.Data;
using Community.Api.Hosting;
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
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly string _directory = Directory.CreateTempSubdirectory("community-startup-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string SqliteUrl => $"sqlite:{Path.Combine(_directory, "community.db")}";

    private static readonly string[] Keys = ["Auth__ApiKeys__0__Name", "Auth__ApiKeys__0__Key", "Auth__ApiKeys__0__Scopes__0"];

    private static Dictionary<string, string> WithKey(Dictionary<string, string> env)
    {
        env[Keys[0]] = "ops";
        env[Keys[1]] = ValidKey;
        env[Keys[2]] = "*";
        return env;
    }

    /// <summary>Runs <c>dotnet Community.Api.dll</c> in an empty directory with only <paramref name="env"/> as its configuration.</summary>
    private async Task<(int ExitCode, string[] Errors)> RunAsync(Dictionary<string, string> env, params string[] args)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _directory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Community.Api.dll"));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        // Nothing from the test run's own environment may configure the service.
        foreach (var key in start.Environment.Keys.Where(IsServiceSetting).ToList()) start.Environment.Remove(key);
        foreach (var (key, value) in env) start.Environment[key] = value;

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"The service did not exit within {Timeout.TotalSeconds} s; it probably started. Output: {await stdout}");
        }
        return (process.ExitCode, (await stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    private static bool IsServiceSetting(string key) =>
        key.StartsWith("ASPNETCORE_") || key == "DOTNET_ENVIRONMENT" || key.StartsWith("Auth__") || key.StartsWith("DATABASE_")
        || key.StartsWith("ENCRYPTION_") || key.StartsWith("ConnectionStrings__") || key.StartsWith("Database__")
        || key is "MODULE_PORT" or "LOG_LEVEL" or "REDIS_URL" or "urls";

    private async Task AssertRefusesToStart(Dictionary<string, string> env, params string[] mentions)
    {
        var (exitCode, errors) = await RunAsync(env);
        Assert.Equal(1, exitCode);
        var line = Assert.Single(errors);
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
        AssertRefusesToStart(WithKey(new() { ["ASPNETCORE_ENVIRONMENT"] = "Production", ["DATABASE_URL"] = SqliteUrl, ["ENCRYPTION_KEY"] = ValidEncryptionKey, ["MODULE_PORT"] = "abc" }),
            "MODULE_PORT", "'abc'");

    [Fact]
    public Task ProductionWithoutAnEncryptionKeyIsRefused() =>
        AssertRefusesToStart(WithKey(new() { ["ASPNETCORE_ENVIRONMENT"] = "Production", ["DATABASE_URL"] = SqliteUrl }), "ENCRYPTION_KEY");

    [Fact]
    public Task AnEncryptionKeyOfTheWrongLengthIsRefused() =>
        AssertRefusesToStart(WithKey(new() { ["ASPNETCORE_ENVIRONMENT"] = "Production", ["DATABASE_URL"] = SqliteUrl, ["ENCRYPTION_KEY"] = "c2hvcnQ=" }),
            "ENCRYPTION_KEY", "32 bytes");

    [Fact]
    public async Task TheMigrateCommandPreparesTheDatabaseAndExits()
    {
        var env = WithKey(new() { ["ASPNETCORE_ENVIRONMENT"] = "Production", ["DATABASE_URL"] = SqliteUrl, ["ENCRYPTION_KEY"] = ValidEncryptionKey });
        var (exitCode, errors) = await RunAsync(env, "migrate");
        Assert.True(exitCode == 0, $"Exit code {exitCode}: {string.Join('\n', errors)}");
        Assert.True(new FileInfo(Path.Combine(_directory, "community.db")).Length > 0);
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
    public void SqliteUrlWithARelativePathIsUnderTheContentRoot()
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
        Assert.Equal((DatabaseProvider.Postgres, connectionString), (settings.Provider, settings.ConnectionString));
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
