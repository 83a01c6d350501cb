using Community.Api.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Community.Api.Cli;

/// <summary>SQLite: multi-row INSERTs prepared once and rebound, all in the caller's transaction (one writer, one journal commit).</summary>
internal sealed class SqliteBulkWriter(CommunityDb db) : BulkWriter(db)
{
    /// <summary>
    /// Rows per INSERT. Few: Microsoft.Data.Sqlite binds each parameter by name, which SQLite finds by a linear search,
    /// so a statement's binding cost grows with the square of its width (256 rows of 7 columns ran 3× slower than 16).
    /// </summary>
    private const int RowsPerStatement = 16;

    private SqliteConnection Connection => (SqliteConnection)Db.Database.GetDbConnection();

    private SqliteTransaction Transaction => (SqliteTransaction)(Db.Database.CurrentTransaction?.GetDbTransaction()
        ?? throw new InvalidOperationException("Bulk writes run inside a transaction."));

    public override async Task<long[]> ReserveIdsAsync(string table, string idColumn, int count, CancellationToken ct)
    {
        // AUTOINCREMENT never reuses an id below sqlite_sequence, and explicit ids above it move it up; the transaction
        // holds SQLite's only write lock, so nobody takes these ids before the commit.
        await using var command = Connection.CreateCommand();
        command.Transaction = Transaction;
        command.CommandText = $"""
            SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = $table), 0), coalesce((SELECT max({Quote(idColumn)}) FROM {Quote(table)}), 0))
            """;
        command.Parameters.AddWithValue("$table", table);
        var last = Convert.ToInt64(await command.ExecuteScalarAsync(ct));
        return Enumerable.Range(1, count).Select(i => last + i).ToArray();
    }

    public override async Task WriteAsync(BulkTable table, IEnumerable<object?[]> rows, Action<int> written, CancellationToken ct)
    {
        await using var full = Insert(table, RowsPerStatement);
        var batch = new List<object?[]>(RowsPerStatement);
        var pending = 0;
        foreach (var row in rows)
        {
            batch.Add(row);
            if (batch.Count < RowsPerStatement) continue;
            await ExecuteAsync(full, batch, ct);
            pending += batch.Count;
            batch.Clear();
            if (pending >= ProgressEvery)
            {
                written(pending);
                pending = 0;
            }
        }
        if (batch.Count > 0)
        {
            await using var rest = Insert(table, batch.Count);
            await ExecuteAsync(rest, batch, ct);
            pending += batch.Count;
        }
        written(pending);
    }

    public override async Task AfterLoadAsync(IEnumerable<string> tables, CancellationToken ct)
    {
        // Nothing: a SQLite database the service runs on has no planner statistics (it never runs ANALYZE), so a
        // seeded one should not have them either, or measurements would not show what the service really meets.
        await Task.CompletedTask;
    }

    private SqliteCommand Insert(BulkTable table, int rows)
    {
        var width = table.Columns.Count;
        var command = Connection.CreateCommand();
        command.Transaction = Transaction;
        var values = Enumerable.Range(0, rows).Select(r => "(" + string.Join(", ", Enumerable.Range(0, width).Select(c => $"$p{r * width + c}")) + ")");
        command.CommandText = $"INSERT INTO {Quote(table.Name)} ({Columns(table)}) VALUES {string.Join(", ", values)}";
        for (var i = 0; i < rows * width; i++) command.Parameters.Add(new SqliteParameter($"$p{i}", null));
        return command;
    }

    private static async Task ExecuteAsync(SqliteCommand command, List<object?[]> batch, CancellationToken ct)
    {
        var parameters = command.Parameters;
        var p = 0;
        foreach (var row in batch)
            foreach (var value in row)
                parameters[p++].Value = value ?? DBNull.Value;
        await command.ExecuteNonQueryAsync(ct);
    }
}
