using System.Data.Common;
using Community.Api.Operations;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Community.Api.Data.Replica;

/// <summary>
/// Opens each <see cref="ReadOnlyDb"/> connection on the replica or on the primary, decided at that moment: the replica
/// when the request may use it (a GET or HEAD), the <see cref="ReplicaMonitor"/> says it serves, and it has replayed the
/// caller's latest write (<see cref="WritePositions"/>). A replica that refuses the connection is reported and the
/// primary opened instead, so the read still succeeds. Counts every query that ran, by its target.
/// </summary>
public sealed class ReplicaRouting(DatabaseSettings settings, ReplicaMonitor monitor, WritePositions positions) : IDbConnectionInterceptor, IDbCommandInterceptor
{
    private readonly string _primary = settings.ReadOnlyDbPrimary;
    private readonly string _replica = settings.ReadOnlyDbReplica!;

    public InterceptionResult ConnectionOpening(DbConnection connection, ConnectionEventData eventData, InterceptionResult result)
    {
        // Synchronous queries are not used for lists; should one appear it reads the primary, which is always right.
        connection.ConnectionString = _primary;
        if (SessionOf(eventData) is { } session) session.OnReplica = false;
        return result;
    }

    public async ValueTask<InterceptionResult> ConnectionOpeningAsync(DbConnection connection, ConnectionEventData eventData, InterceptionResult result,
        CancellationToken cancellationToken = default)
    {
        var session = SessionOf(eventData);
        if (session is { MayUseReplica: true })
        {
            session.Required ??= await positions.RequiredAsync(session.Caller);
            if (monitor.Serves(session.Required.Value))
            {
                connection.ConnectionString = _replica;
                try
                {
                    await connection.OpenAsync(cancellationToken);
                    session.OnReplica = true;
                    return InterceptionResult.Suppress(); // opened here, on the replica
                }
                catch (Exception e) when (ReplicaFailures.IsUnreachable(e))
                {
                    monitor.ReportUnreachable();
                }
            }
        }
        connection.ConnectionString = _primary;
        if (session is not null) session.OnReplica = false;
        return result;
    }

    public DbDataReader ReaderExecuted(DbCommand command, CommandExecutedEventData eventData, DbDataReader result)
    {
        Count(eventData);
        return result;
    }

    public ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result,
        CancellationToken cancellationToken = default)
    {
        Count(eventData);
        return ValueTask.FromResult(result);
    }

    /// <summary>A failed query on the replica: report it when the replica is gone, and send the retry to the primary.</summary>
    internal void Failed(ReadSession session, Exception exception)
    {
        if (ReplicaFailures.IsUnreachable(exception)) monitor.ReportUnreachable();
        session.MayUseReplica = false;
    }

    internal static void Count(CommandEventData eventData) => Count(eventData.Context as ReadOnlyDb);

    /// <summary>Counts a query that ran on <paramref name="db"/>'s connection (one run without EF's command calls this itself).</summary>
    internal static void Count(ReadOnlyDb? db) => (db?.Session?.OnReplica == true ? ReadsOnReplica : ReadsOnPrimary).Inc();

    // Every list query counts: the two series are looked up once, not per query.
    private static readonly Prometheus.Counter.Child ReadsOnPrimary = ServiceMetrics.DatabaseReads.WithLabels("primary");
    private static readonly Prometheus.Counter.Child ReadsOnReplica = ServiceMetrics.DatabaseReads.WithLabels("replica");

    private static ReadSession? SessionOf(DbContextEventData eventData) => (eventData.Context as ReadOnlyDb)?.Session;
}

/// <summary>Counts reads when there is no replica: every one runs on the primary.</summary>
public sealed class PrimaryReads : IDbCommandInterceptor
{
    public static readonly PrimaryReads Instance = new();

    public DbDataReader ReaderExecuted(DbCommand command, CommandExecutedEventData eventData, DbDataReader result)
    {
        ReplicaRouting.Count(eventData);
        return result;
    }

    public ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result,
        CancellationToken cancellationToken = default)
    {
        ReplicaRouting.Count(eventData);
        return ValueTask.FromResult(result);
    }
}
