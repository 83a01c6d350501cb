using System.Collections.Concurrent;
using Community.Api.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Community.Api.Tests.Data;

/// <summary>How SQLite write transactions of one process wait for each other (Data/SqliteWriteGate.cs).</summary>
public sealed class SqliteWriteGateTests : IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"write-gate-{Guid.NewGuid():N}.db");
    private readonly List<CommunityDb> _contexts = [];
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // Contexts made the way the service makes them (DatabaseSetup.UseSqlite), on a file of this test's own, so the gate
    // is this test's alone; Default Timeout is how long a writer waits, in the gate as in SQLite's busy handler.
    private CommunityDb Db(int timeoutSeconds = 30)
    {
        var options = DatabaseSetup.UseSqlite(new DbContextOptionsBuilder<SqliteCommunityDb>(), $"Data Source={_file};Default Timeout={timeoutSeconds}").Options;
        var db = new SqliteCommunityDb((DbContextOptions<SqliteCommunityDb>)options);
        _contexts.Add(db);
        return db;
    }

    [Fact]
    public async Task WriteTransactionsBeginInTheOrderTheyAskedToBegin()
    {
        var holder = await Db().Database.BeginTransactionAsync(Ct);
        var order = new ConcurrentQueue<int>();
        var writers = new List<Task>();
        for (var i = 0; i < 6; i++)
        {
            var (writer, db) = (i, Db());
            writers.Add(Task.Run(async () =>
            {
                await using var tx = await db.Database.BeginTransactionAsync(Ct);
                order.Enqueue(writer);
                await tx.CommitAsync(Ct);
            }, Ct));
            await Task.Delay(100, Ct); // so that each writer is waiting before the next one asks
        }
        Assert.Empty(order);

        await holder.CommitAsync(Ct);
        await Task.WhenAll(writers).WaitAsync(TimeSpan.FromSeconds(20), Ct);

        // In SQLite's busy handler the order was whichever sleeping writer woke first after the lock came free.
        Assert.Equal([0, 1, 2, 3, 4, 5], order);
    }

    [Theory]
    [InlineData("commit")]
    [InlineData("rollback")]
    [InlineData("dispose")] // a handler that returns a problem before committing: the transaction rolls back as it goes
    public async Task AFinishedOrAbandonedTransactionLetsTheNextWriterIn(string end)
    {
        var first = Db();
        var connection = first.Database.GetDbConnection();
        await using (var tx = await first.Database.BeginTransactionAsync(Ct))
        {
            Assert.True(SqliteWriteGate.Instance.Holds(connection));
            if (end == "commit") await tx.CommitAsync(Ct);
            if (end == "rollback") await tx.RollbackAsync(Ct);
        }
        Assert.False(SqliteWriteGate.Instance.Holds(connection));

        // Had the first kept the gate, this would give up after its second with "database is locked".
        await using var next = await Db(timeoutSeconds: 1).Database.BeginTransactionAsync(Ct);
        await next.CommitAsync(Ct);
    }

    [Fact]
    public async Task AWriterThatWaitsLongerThanItsCommandTimeoutGetsSqlitesBusyError()
    {
        await using var holder = await Db().Database.BeginTransactionAsync(Ct);

        var error = await Assert.ThrowsAsync<SqliteException>(() => Db(timeoutSeconds: 1).Database.BeginTransactionAsync(Ct));

        Assert.Equal(SQLitePCL.raw.SQLITE_BUSY, error.SqliteErrorCode);
    }

    public void Dispose()
    {
        foreach (var db in _contexts) db.Dispose();
        SqliteConnection.ClearAllPools();
        foreach (var path in new[] { _file, _file + "-journal", _file + "-wal", _file + "-shm" }) File.Delete(path);
    }
}
