using Community.Api.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Community.Api.Cli;

/// <summary>A column a bulk writer fills: its name in the database and the CLR type of its values (nullability removed).</summary>
internal sealed record BulkColumn(string Name, Type Type);

/// <summary>
/// A table and the columns a bulk writer fills, in row order. Names come from the EF model, so a renamed table or
/// column is followed; a column the model gains without a default makes seeding fail loudly rather than write bad rows.
/// </summary>
internal sealed record BulkTable(string Name, IReadOnlyList<BulkColumn> Columns)
{
    public static BulkTable Of<T>(CommunityDb db, params string[] properties)
    {
        var entity = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not in the model.");
        var table = entity.GetTableName()!;
        var store = StoreObjectIdentifier.Table(table, entity.GetSchema());
        var columns = properties.Select(name =>
        {
            var property = entity.FindProperty(name) ?? throw new InvalidOperationException($"{typeof(T).Name}.{name} is not in the model.");
            return new BulkColumn(property.GetColumnName(store)!, Nullable.GetUnderlyingType(property.ClrType) ?? property.ClrType);
        }).ToList();
        return new BulkTable(table, columns);
    }

    /// <summary>The table's key column as the model names it (every table a seed reserves ids in has a single <c>Id</c>).</summary>
    public static string IdColumn<T>(CommunityDb db)
    {
        var entity = db.Model.FindEntityType(typeof(T))!;
        return entity.FindPrimaryKey()!.Properties.Single().GetColumnName(StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema()))!;
    }
}

/// <summary>
/// Writes rows at the database's own bulk speed inside the context's current transaction: binary COPY on PostgreSQL,
/// multi-row prepared INSERTs on SQLite. Ids a caller needs to know up front (to reference them from other rows) are
/// reserved from the table's own generator, so the service's inserts carry on after them.
/// </summary>
internal abstract class BulkWriter(CommunityDb db)
{
    protected CommunityDb Db { get; } = db;

    public static BulkWriter For(CommunityDb db) => db.IsPostgres ? new PostgresBulkWriter(db) : new SqliteBulkWriter(db);

    /// <summary><paramref name="count"/> ids of <paramref name="table"/> that nothing else will use, ascending.</summary>
    public abstract Task<long[]> ReserveIdsAsync(string table, string idColumn, int count, CancellationToken ct);

    /// <summary>Writes <paramref name="rows"/> (values in the table's column order) and reports progress every few thousand rows.</summary>
    public abstract Task WriteAsync(BulkTable table, IEnumerable<object?[]> rows, Action<int> written, CancellationToken ct);

    /// <summary>Leaves the planner statistics a long-running database would have after the load.</summary>
    public abstract Task AfterLoadAsync(IEnumerable<string> tables, CancellationToken ct);

    protected const int ProgressEvery = 5_000;

    protected static string Quote(string identifier) => $"\"{identifier.Replace("\"", "\"\"")}\"";

    protected static string Columns(BulkTable table) => string.Join(", ", table.Columns.Select(c => Quote(c.Name)));
}
