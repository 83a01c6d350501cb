using Microsoft.Data.Sqlite;
using Npgsql;

namespace Community.Api.Data;

/// <summary>Recognises database errors the same way on PostgreSQL and SQLite.</summary>
public static class DbErrors
{
    /// <summary>A unique index on <paramref name="table"/> whose definition includes <paramref name="column"/> refused the write.</summary>
    public static bool IsUniqueViolation(Exception e, string table, string column) => Find<PostgresException>(e) is { } pg
        ? pg.SqlState == PostgresErrorCodes.UniqueViolation && pg.TableName == table && (pg.ConstraintName ?? "").Contains(column)
        : Find<SqliteException>(e) is { SqliteErrorCode: 19 } lite && lite.Message.Contains($"{table}.{column}");

    public static bool IsUniqueViolation(Exception e) => Find<PostgresException>(e) is { } pg
        ? pg.SqlState == PostgresErrorCodes.UniqueViolation
        : Find<SqliteException>(e) is { SqliteErrorCode: 19, SqliteExtendedErrorCode: 2067 or 1555 };

    public static bool IsConstraintViolation(Exception e) => Find<PostgresException>(e) is { } pg
        ? pg.SqlState.StartsWith("23")
        : Find<SqliteException>(e) is { SqliteErrorCode: 19 };

    /// <summary>
    /// PostgreSQL gave up on the transaction to let a concurrent one finish (deadlock, serialization failure). Writes
    /// lock in one order (hub users, communities, their rows) so this should not happen; if it does, the request lost a
    /// race and may simply be retried.
    /// </summary>
    public static bool IsRaceLost(Exception e) =>
        Find<PostgresException>(e) is { SqlState: PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure };

    /// <summary>
    /// A new member counted at COMMIT (PostgreSQL: migration <c>MemberCountedOnCommit</c>) found its community
    /// deactivated: the commit failed and nothing of the transaction was written.
    /// </summary>
    public static bool IsCommunityInactiveAtCommit(Exception e) => Find<PostgresException>(e) is { SqlState: "CM409" };

    /// <summary>The database is down, unreachable, gone or overloaded: the request may succeed later.</summary>
    public static bool IsUnavailable(Exception e)
    {
        if (Find<PostgresException>(e) is { } pg)
            return pg.SqlState.StartsWith("08") || pg.SqlState.StartsWith("53") || pg.SqlState.StartsWith("57") || pg.SqlState == "3D000";
        if (Find<NpgsqlException>(e) is not null) return true; // connection-level: refused, reset, timed out
        return Find<SqliteException>(e) is { SqliteErrorCode: 5 or 6 or 10 or 11 or 13 or 14 or 26 };
    }

    private static T? Find<T>(Exception? e) where T : Exception
    {
        for (; e is not null; e = e.InnerException)
            if (e is T match) return match;
        return null;
    }
}
