using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Community.Api.Data;

/// <summary>Prepares every SQLite connection the service opens.</summary>
internal sealed class SqliteConnectionSetup : DbConnectionInterceptor
{
    public static readonly SqliteConnectionSetup Instance = new();

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
        using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA synchronous=NORMAL;";
        pragma.ExecuteNonQuery();
    }
}
