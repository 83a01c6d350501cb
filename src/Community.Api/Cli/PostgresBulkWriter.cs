using Community.Api.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace Community.Api.Cli;

/// <summary>PostgreSQL: binary COPY, ids from the table's identity sequence.</summary>
internal sealed class PostgresBulkWriter(CommunityDb db) : BulkWriter(db)
{
    private NpgsqlConnection Connection => (NpgsqlConnection)Db.Database.GetDbConnection();

    public override async Task<long[]> ReserveIdsAsync(string table, string idColumn, int count, CancellationToken ct)
    {
        // nextval is never rolled back and never handed out twice, so these ids stay ours even beside a running service.
        // A bulk load takes as long as it takes: no command timeout here or on the COPY below (a busy server finishing a
        // million rows' index entries may well answer after the default 30 s).
        await using var command = new NpgsqlCommand("SELECT nextval(pg_get_serial_sequence(@table, @column)) FROM generate_series(1, @count)", Connection)
        {
            CommandTimeout = 0,
        };
        command.Parameters.AddWithValue("table", Quote(table));
        command.Parameters.AddWithValue("column", idColumn);
        command.Parameters.AddWithValue("count", count);
        var ids = new long[count];
        await using var reader = await command.ExecuteReaderAsync(ct);
        for (var i = 0; await reader.ReadAsync(ct); i++) ids[i] = reader.GetInt64(0);
        Array.Sort(ids);
        return ids;
    }

    public override async Task WriteAsync(BulkTable table, IEnumerable<object?[]> rows, Action<int> written, CancellationToken ct)
    {
        var types = table.Columns.Select(c => TypeOf(c.Type)).ToArray();
        await using var import = await Connection.BeginBinaryImportAsync($"COPY {Quote(table.Name)} ({Columns(table)}) FROM STDIN (FORMAT BINARY)", ct);
        import.Timeout = TimeSpan.Zero;
        var pending = 0;
        foreach (var row in rows)
        {
            await import.StartRowAsync(ct);
            for (var i = 0; i < row.Length; i++) await WriteValueAsync(import, row[i], types[i], ct);
            if (++pending == ProgressEvery)
            {
                written(pending);
                pending = 0;
            }
        }
        await import.CompleteAsync(ct);
        written(pending);
    }

    public override async Task AfterLoadAsync(IEnumerable<string> tables, CancellationToken ct)
    {
        // Autovacuum would get there within minutes; a benchmark that starts right away should not measure plans made
        // on empty-table statistics, nor heap visits that a vacuumed visibility map saves.
        await using var command = new NpgsqlCommand($"VACUUM (ANALYZE) {string.Join(", ", tables.Select(Quote))}", Connection) { CommandTimeout = 0 };
        await Db.Database.OpenConnectionAsync(ct);
        try
        {
            await command.ExecuteNonQueryAsync(ct);
        }
        finally
        {
            await Db.Database.CloseConnectionAsync();
        }
    }

    private static NpgsqlDbType TypeOf(Type type) =>
        type == typeof(long) ? NpgsqlDbType.Bigint
        : type == typeof(int) ? NpgsqlDbType.Integer
        : type == typeof(bool) ? NpgsqlDbType.Boolean
        : type == typeof(string) ? NpgsqlDbType.Text // varchar and text share their binary form
        : type == typeof(DateTime) ? NpgsqlDbType.TimestampTz
        : throw new NotSupportedException($"Bulk writes of {type.Name} columns are not supported.");

    private static Task WriteValueAsync(NpgsqlBinaryImporter import, object? value, NpgsqlDbType type, CancellationToken ct) => value switch
    {
        null => import.WriteNullAsync(ct),
        long v => import.WriteAsync(v, type, ct),
        int v => import.WriteAsync(v, type, ct),
        bool v => import.WriteAsync(v, type, ct),
        string v => import.WriteAsync(v, type, ct),
        DateTime v => import.WriteAsync(v, type, ct),
        _ => throw new NotSupportedException($"Bulk writes of {value.GetType().Name} values are not supported."),
    };
}
