using System.Diagnostics;
using Community.Api.Data;
using Microsoft.EntityFrameworkCore;
using StackExchange.Redis;

namespace Community.Api.Operations;

/// <summary>The checks behind <c>/healthz</c>: the database (fatal when down), Redis when configured, memory and CPU.</summary>
public sealed class HealthProbe(IServiceScopeFactory scopes, IServiceProvider services)
{
    private readonly object _cpuLock = new();
    private (DateTime Wall, TimeSpan Cpu) _lastCpu = (DateTime.UtcNow, Process.GetCurrentProcess().TotalProcessorTime);

    public async Task<(string Status, Dictionary<string, string> Checks)> CheckAsync(CancellationToken ct)
    {
        var checks = new Dictionary<string, string>
        {
            ["database"] = await DatabaseAsync(ct),
            ["memory"] = Memory(),
            ["cpu"] = Cpu(),
        };
        if (services.GetService<IConnectionMultiplexer>() is { } redis)
            checks["redis"] = await RedisAsync(redis);

        var status = checks["database"] != "ok" ? "unhealthy" : checks.Values.All(v => v == "ok") ? "healthy" : "degraded";
        return (status, checks);
    }

    private async Task<string> DatabaseAsync(CancellationToken ct)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<CommunityDb>();
            // A real round trip that also proves the schema is there, not just that a socket opens.
            await db.Communities.AnyAsync(timeout.Token);
            return "ok";
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return e is OperationCanceledException ? "timeout" : "unreachable";
        }
    }

    private static async Task<string> RedisAsync(IConnectionMultiplexer redis)
    {
        try
        {
            await redis.GetDatabase().PingAsync();
            return "ok";
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            return "unreachable";
        }
    }

    private static string Memory()
    {
        var info = GC.GetGCMemoryInfo();
        var limit = info.TotalAvailableMemoryBytes;
        return limit > 0 && Environment.WorkingSet > limit * 0.9 ? "warning" : "ok";
    }

    /// <summary>Process CPU use since the previous check, across all cores; over 90% is a warning.</summary>
    private string Cpu()
    {
        var now = DateTime.UtcNow;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        double usage;
        lock (_cpuLock)
        {
            var wall = (now - _lastCpu.Wall).TotalMilliseconds * Environment.ProcessorCount;
            usage = wall > 0 ? (cpu - _lastCpu.Cpu).TotalMilliseconds / wall : 0;
            _lastCpu = (now, cpu);
        }
        return usage > 0.9 ? "warning" : "ok";
    }
}
