using Community.Api.Data;
using Community.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Community.Api.Tests.Data;

/// <summary>
/// On PostgreSQL a query the service repeats is prepared on its connection (Npgsql's automatic preparation); behind a
/// transaction pooler (<c>Database:TransactionPooling</c>) nothing is.
/// </summary>
public abstract class PreparedStatementTests(TestApp app) : ApiTest(app)
{
    protected abstract bool Prepares { get; }

    [Fact]
    public async Task ARepeatedQueryIsPreparedOnlyWhenSessionsAreKept()
    {
        var id = (await App.Community()).GetProperty("id").GetInt64();
        await using var scope = App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CommunityDb>();
        await db.Database.OpenConnectionAsync(Ct); // one server session for all of it
        for (var i = 0; i < 10; i++) await db.Communities.AsNoTracking().Where(c => c.Id == id).Select(c => c.Name).SingleAsync(Ct);
        var prepared = await db.Database.SqlQuery<string>($"SELECT statement AS \"Value\" FROM pg_prepared_statements").ToListAsync(Ct);
        Assert.Equal(Prepares, prepared.Any(s => s.Contains("communities")));
    }
}

public sealed class PreparedStatementTestsOnPostgres(PostgresApp app) : PreparedStatementTests(app), IClassFixture<PostgresApp>
{
    protected override bool Prepares => true;
}

public sealed class PreparedStatementTestsBehindATransactionPooler(TransactionPoolingPostgresApp app)
    : PreparedStatementTests(app), IClassFixture<TransactionPoolingPostgresApp>
{
    protected override bool Prepares => false;
}

/// <summary>The service told that a pooler in transaction mode stands between it and PostgreSQL.</summary>
public sealed class TransactionPoolingPostgresApp : PostgresApp
{
    protected internal override IReadOnlyDictionary<string, string?> Settings =>
        new Dictionary<string, string?> { ["Database:TransactionPooling"] = "true" };
}
