using System.Net.Sockets;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace Community.Api.Data.Replica;

/// <summary>Which failures of a replica query are worth one more try on the primary.</summary>
public static class ReplicaFailures
{
    /// <summary>The replica is gone or going: the connection broke, was refused, timed out, or the server is shutting down.</summary>
    public static bool IsUnreachable(Exception e) => e switch
    {
        PostgresException p => p.SqlState.StartsWith("08", StringComparison.Ordinal) || p.SqlState is "57P01" or "57P02" or "57P03",
        NpgsqlException or SocketException or TimeoutException or IOException => true,
        _ => e.InnerException is { } inner && IsUnreachable(inner),
    };

    /// <summary>The standby cancelled the query because replay needed what it read (SQLSTATE 40001 on a standby).</summary>
    public static bool IsRecoveryConflict(Exception e) => e is PostgresException { SqlState: "40001" };
}

/// <summary>
/// <see cref="ReadOnlyDb"/>'s execution strategy: a query that failed on the replica runs once more, on the primary
/// (the session no longer allows the replica). Failures on the primary are not retried, as for <see cref="CommunityDb"/>.
/// </summary>
public sealed class ReplicaFallbackStrategy(ExecutionStrategyDependencies dependencies, ReplicaRouting routing)
    : ExecutionStrategy(dependencies, maxRetryCount: 1, maxRetryDelay: TimeSpan.Zero)
{
    protected override bool ShouldRetryOn(Exception exception)
    {
        if (Dependencies.CurrentContext.Context is not ReadOnlyDb { Session: { OnReplica: true } session }) return false;
        if (!ReplicaFailures.IsUnreachable(exception) && !ReplicaFailures.IsRecoveryConflict(exception)) return false;
        routing.Failed(session, exception);
        return true;
    }

    protected override TimeSpan? GetNextDelay(Exception lastException) => base.GetNextDelay(lastException) is null ? null : TimeSpan.Zero;
}
