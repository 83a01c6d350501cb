using System.Net;
using Community.Api.Tests.Infrastructure;

namespace Community.Api.Tests.Communities;

public abstract class CommunitiesTests(TestApp app) : ApiTest(app)
{
    [Fact]
    public async Task CreateReturnsTheCommunityWithLocationAndETag()
    {
        var name = Unique("Pond");
        var response = await App.Service().Post("/api/v1/communities",
            new { name = $"  {name}  ", description = "ducks", owner = new { platform = "twitch", platform_user_id = Unique("u") } });
        var data = await response.Data(HttpStatusCode.Created);
        Assert.Equal(name, data.Str("name"));
        Assert.Equal(name, data.Str("display_name"));
        Assert.Equal("free", data.Str("tier"));
        Assert.True(data.Bool("is_public"));
        Assert.True(data.Bool("is_active"));
        Assert.Equal(1, data.Int("member_count"));
        Assert.EndsWith("Z", data.Str("created_at"));
        Assert.Equal($"/api/v1/communities/{data.Long("id")}", response.Headers.Location!.OriginalString);
        Assert.NotNull(response.Headers.ETag);
    }

    [Fact]
    public async Task DuplicateNameInAnotherCaseIsRefused()
    {
        var name = Unique("Dup");
        await App.Community(name);
        var response = await App.Service().Post("/api/v1/communities",
            new { name = name.ToUpperInvariant(), owner = new { platform = "twitch", platform_user_id = Unique("u") } });
        await response.Problem(HttpStatusCode.Conflict, "community_name_taken");
    }

    [Fact]
    public async Task WithoutCredentialsIs401()
    {
        var response = await App.Anonymous().GetAsync("/api/v1/communities", Ct);
        await response.Problem(HttpStatusCode.Unauthorized, "unauthorized");
    }
}

public sealed class CommunitiesTestsOnSqlite(SqliteApp app) : CommunitiesTests(app), IClassFixture<SqliteApp>;

public sealed class CommunitiesTestsOnPostgres(PostgresApp app) : CommunitiesTests(app), IClassFixture<PostgresApp>;
