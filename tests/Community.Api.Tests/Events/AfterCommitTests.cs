using Community.Api.Events;
using Community.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Community.Api.Tests.Events;

/// <summary>
/// A side effect of a write that records no event hangs on its commit (<see cref="CommittedEvents.AfterCommit"/>): at
/// once outside a transaction, at the commit inside one, never for a transaction that rolls back or is abandoned.
/// </summary>
public abstract class AfterCommitTests(TestApp app) : ApiTest(app)
{
    [Fact]
    public async Task ASideEffectFollowsItsCommitAndNothingElse()
    {
        var commits = App.Services.GetRequiredService<CommittedEvents>();
        var ran = await App.Db(async db =>
        {
            var ran = new List<string>();
            commits.AfterCommit(db, () => ran.Add("no transaction"));
            await using (var tx = await db.Database.BeginTransactionAsync(Ct))
            {
                commits.AfterCommit(db, () => ran.Add("committed"));
                Assert.Equal(["no transaction"], ran);
                await tx.CommitAsync(Ct);
            }
            await using (var tx = await db.Database.BeginTransactionAsync(Ct))
            {
                commits.AfterCommit(db, () => ran.Add("rolled back"));
                await tx.RollbackAsync(Ct);
            }
            await using (await db.Database.BeginTransactionAsync(Ct))
                commits.AfterCommit(db, () => ran.Add("abandoned")); // an early return: disposed without commit
            await using (var tx = await db.Database.BeginTransactionAsync(Ct)) await tx.CommitAsync(Ct);
            return ran;
        });

        Assert.Equal(["no transaction", "committed"], ran);
    }
}

public sealed class AfterCommitTestsOnSqlite(SqliteApp app) : AfterCommitTests(app), IClassFixture<SqliteApp>;

public sealed class AfterCommitTestsOnPostgres(PostgresApp app) : AfterCommitTests(app), IClassFixture<PostgresApp>;
