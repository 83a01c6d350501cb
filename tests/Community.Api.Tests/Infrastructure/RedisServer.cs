using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Community.Api.Tests.Infrastructure;

/// <summary>
/// One real Redis for the test run: <c>TEST_REDIS_URL</c> when set, else a <c>redis-server</c> started here without
/// persistence. Without the binary the Redis tests are skipped with the reason, unless <c>REQUIRE_REDIS=1</c>.
/// </summary>
public sealed class RedisServer
{
    private static readonly Lazy<Task<RedisServer>> Shared = new(StartAsync);

    private RedisServer(string? url, string? skipReason)
    {
        Url = url;
        SkipReason = skipReason;
    }

    /// <summary>The <c>REDIS_URL</c> of the server; null when skipped.</summary>
    public string? Url { get; }

    public string? SkipReason { get; }

    public static Task<RedisServer> GetAsync() => Shared.Value;

    private static async Task<RedisServer> StartAsync()
    {
        var given = Environment.GetEnvironmentVariable("TEST_REDIS_URL");
        if (!string.IsNullOrEmpty(given)) return new RedisServer(given, null);

        var binary = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .Select(d => Path.Combine(d, "redis-server")).FirstOrDefault(File.Exists);
        if (binary is null)
        {
            const string reason = "No redis-server binary found and TEST_REDIS_URL is unset; Redis tests skipped.";
            if (Environment.GetEnvironmentVariable("REQUIRE_REDIS") == "1") throw new InvalidOperationException(reason);
            return new RedisServer(null, reason);
        }

        var port = FreePort();
        var process = Process.Start(new ProcessStartInfo(binary, $"--port {port} --bind 127.0.0.1 --save \"\" --appendonly no")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { process.Kill(); } catch (InvalidOperationException) { }
        };
        for (var i = 0; i < 100; i++)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port);
                return new RedisServer($"redis://127.0.0.1:{port}", null);
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }
        throw new InvalidOperationException($"redis-server did not start on port {port}.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
