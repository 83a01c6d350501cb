using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Community.Api.Data;

/// <summary>
/// SQLite's built-in <c>lower()</c> folds ASCII letters only, so a case-insensitive search for "ärger" missed "ÄRGER"
/// on SQLite while PostgreSQL found it. This replaces it on every connection with .NET's invariant lower-casing,
/// the same folding the service uses for name keys and search patterns.
/// </summary>
internal sealed class SqliteUnicodeLower : DbConnectionInterceptor
{
    public static readonly SqliteUnicodeLower Instance = new();

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Register(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Register(connection);
        return Task.CompletedTask;
    }

    private static void Register(DbConnection connection) =>
        ((SqliteConnection)connection).CreateFunction("lower", (string? text) => text?.ToLowerInvariant(), isDeterministic: true);
}
