using System.Collections.Concurrent;
using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Community.Api.Data;

/// <summary>
/// Lines up this process's SQLite transactions, in the order they begin, before they ask SQLite for its one write lock.
/// Microsoft.Data.Sqlite begins every transaction IMMEDIATE, so a transaction holds the database's write lock from BEGIN
/// to COMMIT or ROLLBACK, and another one waits in SQLite's busy handler: on a blocked thread-pool thread, sleeping
/// longer between tries the longer it has waited (up to 100 ms), so a writer that has just arrived often wins over one
/// that has waited for a while. The gate is a semaphore per database whose waiters wait asynchronously and are let in
/// first come, first served; a transaction holds it until it commits, rolls back or fails, or its connection closes
/// (a transaction disposed unfinished rolls back and EF closes the connection it opened for it). Writers in other
/// processes, and writes outside a transaction, still meet SQLite's busy handler.
/// </summary>
internal sealed class SqliteWriteGate : DbTransactionInterceptor, IDbConnectionInterceptor
{
    public static readonly SqliteWriteGate Instance = new();

    private static readonly ConcurrentDictionary<string, SemaphoreSlim> Gates = new();
    private readonly ConditionalWeakTable<DbConnection, SemaphoreSlim> _held = new();

    public override InterceptionResult<DbTransaction> TransactionStarting(DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result)
    {
        var gate = GateOf(connection);
        if (!gate.Wait(Timeout(connection))) throw Busy(connection);
        _held.AddOrUpdate(connection, gate);
        return result;
    }

    public override async ValueTask<InterceptionResult<DbTransaction>> TransactionStartingAsync(DbConnection connection, TransactionStartingEventData eventData,
        InterceptionResult<DbTransaction> result, CancellationToken cancellationToken = default)
    {
        var gate = GateOf(connection);
        if (!await gate.WaitAsync(Timeout(connection), cancellationToken)) throw Busy(connection);
        _held.AddOrUpdate(connection, gate);
        return result;
    }

    public override void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Release(eventData);

    public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default) =>
        Release(eventData);

    public override void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Release(eventData);

    public override Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default) =>
        Release(eventData);

    public override void TransactionFailed(DbTransaction transaction, TransactionErrorEventData eventData) => Release(eventData);

    public override Task TransactionFailedAsync(DbTransaction transaction, TransactionErrorEventData eventData, CancellationToken cancellationToken = default) =>
        Release(eventData);

    public InterceptionResult ConnectionClosing(DbConnection connection, ConnectionEventData eventData, InterceptionResult result)
    {
        Release(connection);
        return result;
    }

    public ValueTask<InterceptionResult> ConnectionClosingAsync(DbConnection connection, ConnectionEventData eventData, InterceptionResult result)
    {
        Release(connection);
        return ValueTask.FromResult(result);
    }

    /// <summary>Whether a transaction on <paramref name="connection"/> holds its database's gate (for the tests).</summary>
    internal bool Holds(DbConnection connection) => _held.TryGetValue(connection, out _);

    // One gate per connection string: the service opens each database with one.
    private static SemaphoreSlim GateOf(DbConnection connection) => Gates.GetOrAdd(connection.ConnectionString, _ => new SemaphoreSlim(1, 1));

    // As long as SQLite's busy handler would have waited (SqliteConnectionSetup sets it to the command timeout).
    private static TimeSpan Timeout(DbConnection connection) => TimeSpan.FromSeconds(((SqliteConnection)connection).DefaultTimeout);

    private static SqliteException Busy(DbConnection connection) =>
        new($"database is locked: no write transaction could begin within {((SqliteConnection)connection).DefaultTimeout} s", SQLitePCL.raw.SQLITE_BUSY);

    // After COMMIT or ROLLBACK the SqliteTransaction has let go of its connection; the context has not.
    private Task Release(TransactionEventData eventData) =>
        eventData.Context is { } context ? Release(context.Database.GetDbConnection()) : Task.CompletedTask;

    private Task Release(DbConnection connection)
    {
        if (_held.TryGetValue(connection, out var gate) && _held.Remove(connection)) gate.Release();
        return Task.CompletedTask;
    }
}
