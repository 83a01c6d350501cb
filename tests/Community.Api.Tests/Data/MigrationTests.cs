using Community.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace Community.Api.Tests.Data;

/// <summary>The model and both providers' migrations agree: a model change without its migrations fails here.</summary>
public sealed class MigrationTests
{
    [Fact]
    public void PostgresHasNoPendingModelChanges()
    {
        using var db = new PostgresDesignTimeFactory().CreateDbContext([]);
        Assert.False(db.Database.HasPendingModelChanges(), "Run: dotnet ef migrations add <Name> --context PostgresCommunityDb --output-dir Data/Migrations/Postgres");
    }

    [Fact]
    public void SqliteHasNoPendingModelChanges()
    {
        using var db = new SqliteDesignTimeFactory().CreateDbContext([]);
        Assert.False(db.Database.HasPendingModelChanges(), "Run: dotnet ef migrations add <Name> --context SqliteCommunityDb --output-dir Data/Migrations/Sqlite");
    }

    [Fact]
    public void BothProvidersHaveTheSameMigrations()
    {
        using var postgres = new PostgresDesignTimeFactory().CreateDbContext([]);
        using var sqlite = new SqliteDesignTimeFactory().CreateDbContext([]);
        static IEnumerable<string> Names(DbContext db) => db.Database.GetMigrations().Select(m => m[(m.IndexOf('_') + 1)..]);
        Assert.Equal(Names(postgres), Names(sqlite));
    }
}
