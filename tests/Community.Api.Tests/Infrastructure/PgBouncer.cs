using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Community.Api.Tests.Infrastructure;

/// <summary>
/// One PgBouncer for the test run, in transaction pooling mode in front of the tests' <see cref="PostgresServer"/>:
/// every database of that server is reachable through it under the same name (a <c>*</c> fallback entry), so a test
/// database made there is served here too. Started from the distribution's <c>pgbouncer</c> (as the <c>postgres</c>
/// user when the tests run as root, which it refuses). Without the binary the PgBouncer tests are skipped with the
/// reason, unless <c>REQUIRE_PGBOUNCER=1</c>.
/// </summary>
public sealed class PgBouncer
{
    private static readonly Lazy<Task<PgBouncer>> Shared = new(StartAsync);

    private PgBouncer(int port, string? skipReason)
    {
        Port = port;
        SkipReason = skipReason;
    }

    public int Port { get; }

    public string? SkipReason { get; }

    public static Task<PgBouncer> GetAsync() => Shared.Value;

    /// <summary>The same database reached through the pooler.</summary>
    public string Route(string databaseUrl) => new UriBuilder(databaseUrl) { Host = "127.0.0.1", Port = Port }.Uri.AbsoluteUri;

    private static async Task<PgBouncer> StartAsync()
    {
        var binary = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Concat(["/usr/sbin", "/usr/bin"])
            .Select(d => Path.Combine(d, "pgbouncer")).FirstOrDefault(File.Exists);
        if (binary is null)
        {
            const string reason = "No pgbouncer binary found; the tests through PgBouncer are skipped.";
            if (Environment.GetEnvironmentVariable("REQUIRE_PGBOUNCER") == "1") throw new InvalidOperationException(reason);
            return new PgBouncer(0, reason);
        }
        var server = await PostgresServer.GetAsync();
        if (server.SkipReason is not null) return new PgBouncer(0, server.SkipReason);

        var (host, serverPort, user, password) = server.Address;
        var directory = Path.Combine(Path.GetTempPath(), $"community-tests-pgbouncer-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        var port = PostgresServer.FreePort();
        var config = Path.Combine(directory, "pgbouncer.ini");
        // auth_type=any: the bouncer logs every client in as the user of the fallback entry, so it needs no user list.
        // A pool of 20 server connections per database is far below what the suite's concurrent requests ask for, so
        // clients really queue for a server connection and share them transaction by transaction.
        await File.WriteAllTextAsync(config, $"""
            [databases]
            * = host={host} port={serverPort} user={user}{(password is null ? "" : $" password={password}")}

            [pgbouncer]
            listen_addr = 127.0.0.1
            listen_port = {port}
            unix_socket_dir =
            auth_type = any
            pool_mode = transaction
            default_pool_size = 20
            max_client_conn = 2000
            server_reset_query =
            ignore_startup_parameters = extra_float_digits
            logfile = {directory}/pgbouncer.log
            """);
        var asRoot = Environment.UserName == "root";
        if (asRoot) await PostgresServer.RunAsync("chown", $"-R postgres {directory}");
        // Quiet: it logs to its file only, never into a pipe nobody drains.
        var process = Process.Start(new ProcessStartInfo(binary, asRoot ? $"-q -u postgres {config}" : $"-q {config}") { WorkingDirectory = directory })!;
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { process.Kill(); } catch (InvalidOperationException) { }
            try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
        };
        for (var i = 0; i < 100; i++)
        {
            if (process.HasExited)
                {
                var log = Path.Combine(directory, "pgbouncer.log");
                throw new InvalidOperationException($"pgbouncer exited ({process.ExitCode}): {(File.Exists(log) ? await File.ReadAllTextAsync(log) : "no log written")}");
            }
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port);
                return new PgBouncer(port, null);
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }
        throw new InvalidOperationException($"pgbouncer did not start on port {port}.");
    }
}
