using Community.Api.Data;
using Community.Api.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Community.Api.Tests.Data;

/// <summary>How every SQLite connection the service opens is set up (Data/SqliteConnectionSetup.cs).</summary>
public sealed class SqliteConnectionTests(SqliteApp app) : ApiTest(app), IClassFixture<SqliteApp>
{
    [Fact]
    public async Task AWriterWaitsForTheWriteLockInSqlitesBusyHandlerForAsLongAsACommandMayRun()
    {
        // Without it Microsoft.Data.Sqlite retries a busy write every 150 ms, which sets the tail of concurrent writes.
        await using var scope = App.Services.CreateAsyncScope();
        foreach (var db in new CommunityDb[] { scope.ServiceProvider.GetRequiredService<CommunityDb>(), scope.ServiceProvider.GetRequiredService<ReadOnlyDb>() })
        {
            await db.Database.OpenConnectionAsync(Ct);
            var connection = Assert.IsType<SqliteConnection>(db.Database.GetDbConnection());
            var busyTimeout = await db.Database.SqlQueryRaw<int>("SELECT timeout AS \"Value\" FROM pragma_busy_timeout").SingleAsync(Ct);
            Assert.Equal(30, connection.DefaultTimeout);
            Assert.Equal(connection.DefaultTimeout * 1000, busyTimeout);
        }
    }
}
