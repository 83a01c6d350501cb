using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Community.Api.Data;

/// <summary>Prepares every SQLite connection the service opens.</summary>
internal sealed class SqliteConnectionSetup : DbConnectionInterceptor
{
    public static readonly SqliteConnectionSetup Instance = new();

    /// <summary>
    /// Turns off SQLite's memory statistics for the process, once, before its first connection (later it is refused and
    /// changes nothing). With them on, every allocation inside SQLite takes one global mutex, which all connections
    /// contend for: on a member page under load, pthread mutex calls were ~7 % of the service's CPU. Nothing here reads
    /// the statistics or sets a soft heap limit, which needs them.
    /// </summary>
    /// <returns>Whether the statistics are off (false when SQLite was started before the first call).</returns>
    public static bool ConfigureLibrary() => MemoryStatisticsOff.Value;

    private static readonly Lazy<bool> MemoryStatisticsOff = new(() =>
    {
        SQLitePCL.Batteries_V2.Init(); // what Microsoft.Data.Sqlite does first; it opens nothing
        return SQLitePCL.raw.sqlite3_config(SQLitePCL.raw.SQLITE_CONFIG_MEMSTATUS, 0) == SQLitePCL.raw.SQLITE_OK;
    });

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Prepare((SqliteConnection)connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Prepare((SqliteConnection)connection);
        return Task.CompletedTask;
    }

    private static void Prepare(SqliteConnection connection)
    {
        // SQLite's built-in lower() folds ASCII letters only, so a case-insensitive search for "ärger" missed "ÄRGER"
        // while PostgreSQL found it. .NET's invariant lower-casing is the folding the service uses for name keys too.
        connection.CreateFunction("lower", (string? text) => text?.ToLowerInvariant(), isDeterministic: true);
        // In WAL mode NORMAL syncs at checkpoints, not at every commit: a crash of the process loses nothing and the
        // file cannot be corrupted; only a power cut may lose the last commits. Commits stop waiting on fsync.
        // A writer that finds another writing waits in SQLite's own busy handler, which retries within milliseconds,
        // for as long as a command may run. Left to Microsoft.Data.Sqlite, it sleeps 150 ms between tries: under 32
        // concurrent new-viewer joins the p99 was 616-798 ms (113-125 ms with this) and 642-794 joins/s (989-1,075).
        using var pragma = connection.CreateCommand();
        pragma.CommandText = $"PRAGMA synchronous=NORMAL; PRAGMA busy_timeout={connection.DefaultTimeout * 1000};";
        pragma.ExecuteNonQuery();
    }
}
