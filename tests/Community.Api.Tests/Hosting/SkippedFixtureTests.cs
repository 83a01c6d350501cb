using Community.Api.Tests.Infrastructure;

namespace Community.Api.Tests.Hosting;

/// <summary>A fixture that skips (no Redis, no PostgreSQL here) must clean up quietly, or `dotnet test` exits 1 with every test passed.</summary>
public sealed class SkippedFixtureTests
{
    [Fact]
    public async Task ASqliteAppThatNeverMadeADatabaseDisposesCleanly()
    {
        var app = new SqliteApp();
        await app.DisposeAsync();
    }
}
