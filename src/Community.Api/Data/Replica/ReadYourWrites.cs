using Community.Api.Auth;
using Npgsql;

namespace Community.Api.Data.Replica;

/// <summary>
/// After a request that may have written (any method but GET, HEAD, OPTIONS), and before its answer leaves, notes the
/// primary's WAL position as the caller's: the write has committed by then, so the position is at or past it. The
/// caller's next lag-tolerant reads then wait for the replica to replay that far (<see cref="WritePositions"/>).
/// Runs after authentication and rate limiting, so only requests that reached a handler pay the extra query.
/// </summary>
public sealed class ReadYourWrites(RequestDelegate next, DatabaseSettings settings, WritePositions positions, ILogger<ReadYourWrites> logger)
{
    private readonly string _primary = settings.ConnectionString;

    public Task InvokeAsync(HttpContext context)
    {
        var method = context.Request.Method;
        if (!HttpMethods.IsGet(method) && !HttpMethods.IsHead(method) && !HttpMethods.IsOptions(method)
            && Caller.From(context.User) is { } caller)
            context.Response.OnStarting(() => RecordAsync(caller.Key));
        return next(context);
    }

    private async Task RecordAsync(string caller)
    {
        ulong position;
        try
        {
            await using var connection = new NpgsqlConnection(_primary);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT pg_current_wal_insert_lsn()::text", connection);
            position = Lsn.Parse((string)(await command.ExecuteScalarAsync())!);
        }
        catch (NpgsqlException e)
        {
            // Where the write ended is unknown: the caller reads the primary until the record expires.
            logger.LogWarning("The primary's WAL position could not be read after a write ({Error}); the caller reads from the primary for a while", e.Message);
            position = ulong.MaxValue;
        }
        await positions.RecordAsync(caller, position);
    }
}
