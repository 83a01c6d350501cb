using System.Net;
using Community.Api.Tests.Infrastructure;

namespace Community.Api.Tests.Fuzz;

/// <summary>One small regression test for each server error the fuzz suite (or probing along its lines) found.</summary>
public abstract class FoundByFuzzingTests(TestApp app) : ApiTest(app)
{
    [Theory]
    [InlineData("Europe")]
    [InlineData("America/")]
    [InlineData("right")]
    public async Task ATimeZoneThatNamesADirectoryOfTheZoneDatabaseIs400(string timezone)
    {
        var id = (await App.Community()).Long("id");
        var response = await App.Service().Patch($"/api/v1/communities/{id}/settings", new Dictionary<string, object?> { ["timezone"] = timezone });
        Assert.Equal(["timezone"], (await response.Problem(HttpStatusCode.BadRequest, "validation_failed")).ErrorFields());
    }
}

public sealed class FoundByFuzzingTestsOnSqlite(SqliteApp app) : FoundByFuzzingTests(app), IClassFixture<SqliteApp>;

public sealed class FoundByFuzzingTestsOnPostgres(PostgresApp app) : FoundByFuzzingTests(app), IClassFixture<PostgresApp>;
