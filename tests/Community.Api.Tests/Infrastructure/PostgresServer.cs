using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Community.Api.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Community.Api.Tests.Infrastructure;

/// <summary>
/// One real PostgreSQL server for the whole test run: the one named by <c>TEST_POSTGRES_URL</c> (CI starts it),
/// else a throwaway cluster started here from the machine's PostgreSQL binaries. Each test class gets its own
/// database, cloned from a template that already has the migrations applied.
/// Without binaries the PostgreSQL tests are skipped with the reason, unless <c>REQUIRE_POSTGRES=1</c>.
/// </summary>
public sealed class PostgresServer
{
    private const string Template = "community_template";
    private static readonly Lazy<Task<PostgresServer>> Shared = new(StartAsync);

    private readonly NpgsqlConnectionStringBuilder _admin;
    private readonly string? _dataDirectory;
    private readonly string? _pgCtl;

    private PostgresServer(NpgsqlConnectionStringBuilder admin, string? dataDirectory, string? pgCtl, string? skipReason)
    {
        _admin = admin;
        _dataDirectory = dataDirectory;
        _pgCtl = pgCtl;
        SkipReason = skipReason;
    }

    /// <summary>Why PostgreSQL tests cannot run here, or null when they can.</summary>
    public string? SkipReason { get; }

    public static Task<PostgresServer> GetAsync() => Shared.Value;

    /// <summary>Where the server listens and as whom the tests connect (for a pooler put in front of it).</summary>
    public (string Host, int Port, string User, string? Password) Address =>
        (_admin.Host!, _admin.Port, _admin.Username ?? "postgres", string.IsNullOrEmpty(_admin.Password) ? null : _admin.Password);

    /// <summary>Creates an empty, migrated database and returns its <c>DATABASE_URL</c>.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"t_{Guid.NewGuid():N}";
        await ExecuteAsync($"CREATE DATABASE {name} TEMPLATE {Template}");
        return Url(name);
    }

    /// <summary>Creates a database with nothing in it, not even the migrations' history table; returns its <c>DATABASE_URL</c>.</summary>
    public async Task<string> CreateEmptyDatabaseAsync()
    {
        var name = $"t_{Guid.NewGuid():N}";
        await ExecuteAsync($"CREATE DATABASE {name}");
        return Url(name);
    }

    /// <summary>Drops a test database, cutting any connection still open to it.</summary>
    public Task DropDatabaseAsync(string url) => ExecuteAsync($"DROP DATABASE IF EXISTS {new Uri(url).AbsolutePath.Trim('/')} WITH (FORCE)");

    public string Url(string database)
    {
        var password = string.IsNullOrEmpty(_admin.Password) ? "" : $":{Uri.EscapeDataString(_admin.Password)}";
        return $"postgresql://{Uri.EscapeDataString(_admin.Username ?? "postgres")}{password}@{_admin.Host}:{_admin.Port}/{database}";
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_admin.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<PostgresServer> StartAsync()
    {
        var required = Environment.GetEnvironmentVariable("REQUIRE_POSTGRES") == "1";
        NpgsqlConnectionStringBuilder admin;
        string? dataDirectory = null, pgCtl = null;

        var url = Environment.GetEnvironmentVariable("TEST_POSTGRES_URL");
        if (!string.IsNullOrEmpty(url))
        {
            var uri = new Uri(url);
            var user = uri.UserInfo.Split(':', 2);
            admin = new NpgsqlConnectionStringBuilder
            {
                Host = uri.Host, Port = uri.Port > 0 ? uri.Port : 5432, Database = uri.AbsolutePath.Trim('/') is { Length: > 0 } db ? db : "postgres",
                Username = Uri.UnescapeDataString(user[0]), Password = user.Length > 1 ? Uri.UnescapeDataString(user[1]) : null, Pooling = false,
            };
        }
        else
        {
            var bin = FindBinaries();
            if (bin is null)
            {
                const string reason = "No PostgreSQL server binaries (initdb, pg_ctl) found and TEST_POSTGRES_URL is unset; PostgreSQL tests skipped.";
                if (required) throw new InvalidOperationException(reason);
                return new PostgresServer(new NpgsqlConnectionStringBuilder(), null, null, reason);
            }
            (admin, dataDirectory) = await StartClusterAsync(bin);
            pgCtl = Path.Combine(bin, "pg_ctl");
        }

        var server = new PostgresServer(admin, dataDirectory, pgCtl, null);
        await server.PrepareTemplateAsync();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Stop();
        return server;
    }

    /// <summary>Migrates a template database once; every test database is a cheap copy of it.</summary>
    private async Task PrepareTemplateAsync()
    {
        await ExecuteAsync($"DROP DATABASE IF EXISTS {Template} WITH (FORCE)");
        await ExecuteAsync($"CREATE DATABASE {Template}");
        var connectionString = new NpgsqlConnectionStringBuilder(_admin.ConnectionString) { Database = Template, Pooling = false }.ConnectionString;
        var options = (DbContextOptions<PostgresCommunityDb>)DatabaseSetup.UsePostgres(new DbContextOptionsBuilder<PostgresCommunityDb>(), connectionString).Options;
        await using var db = new PostgresCommunityDb(options);
        await db.Database.MigrateAsync();
    }

    private static async Task<(NpgsqlConnectionStringBuilder, string)> StartClusterAsync(string bin)
    {
        var directory = Path.Combine(Path.GetTempPath(), $"community-tests-pg-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        var port = FreePort();
        var asRoot = Environment.UserName == "root";
        if (asRoot) await RunAsync("chown", $"postgres {directory}");
        await RunAsync(Path.Combine(bin, "initdb"), $"-D {directory} -A trust -U postgres --no-sync -E UTF8 --locale=C.UTF-8", asRoot);
        await RunAsync(Path.Combine(bin, "pg_ctl"),
            $"-D {directory} -w -l {directory}/server.log -o \"-c listen_addresses=127.0.0.1 -p {port} -k {directory} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400\" start",
            asRoot);
        return (new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = port, Username = "postgres", Database = "postgres", Pooling = false }, directory);
    }

    private void Stop()
    {
        if (_pgCtl is null || _dataDirectory is null) return;
        try
        {
            RunAsync(_pgCtl, $"-D {_dataDirectory} -m immediate stop", Environment.UserName == "root").GetAwaiter().GetResult();
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (Exception)
        {
            // Best effort at exit: a leftover temp cluster is harmless.
        }
    }

    internal static string? FindBinaries(params string[] more)
    {
        string[] needed = ["initdb", "pg_ctl", .. more];
        var candidates = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .Concat(Directory.Exists("/usr/lib/postgresql")
                ? Directory.GetDirectories("/usr/lib/postgresql").OrderDescending().Select(d => Path.Combine(d, "bin"))
                : []);
        return candidates.FirstOrDefault(d => needed.All(program => File.Exists(Path.Combine(d, program))));
    }

    internal static async Task RunAsync(string program, string arguments, bool asPostgres = false)
    {
        var start = asPostgres
            ? new ProcessStartInfo("runuser", $"-u postgres -- {program} {arguments}")
            : new ProcessStartInfo(program, arguments);
        start.RedirectStandardOutput = start.RedirectStandardError = true;
        start.WorkingDirectory = Path.GetTempPath();
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{program} {arguments} failed ({process.ExitCode}): {await error}{await output}");
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
