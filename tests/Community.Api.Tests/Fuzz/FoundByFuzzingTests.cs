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

    [Fact]
    public async Task AnAvatarUrlWithAControlCharacterIs400()
    {
        var avatar = "https://203.0.113.7/a.png\u0000";
        var (id, channel) = await App.ConnectedCommunity();
        var requests = new (string Url, object Body)[]
        {
            ("/api/v1/users", new { username = Unique("u"), avatar_url = avatar }),
            ("/api/v1/identities/resolve", new { platform = "kick", platform_user_id = Unique("p"), avatar_url = avatar }),
            ("/api/v1/members/join", new { platform = "twitch", platform_community_id = channel, platform_user_id = Unique("p"), avatar_url = avatar }),
            ("/api/v1/communities", new { name = Unique(), owner_id = (await App.Community()).Long("owner_id"), avatar_url = avatar }),
        };
        foreach (var (url, body) in requests)
            Assert.Equal(["avatar_url"], (await App.Service().Post(url, body).Problem(HttpStatusCode.BadRequest, "validation_failed")).ErrorFields());
        var update = await App.Service().Patch($"/api/v1/communities/{id}", new { avatar_url = "https://203.0.113.7/a.png\u0007" });
        Assert.Equal(["avatar_url"], (await update.Problem(HttpStatusCode.BadRequest, "validation_failed")).ErrorFields());
    }

    [Fact]
    public async Task AWebhookUrlWithAControlCharacterIs400()
    {
        var community = (await App.Community()).Long("id");
        foreach (var url in new[] { "https://203.0.113.7/hook\u0000", "https://203.0.113.7/ho\u0007ok" })
        {
            var response = await App.Service().Post("/api/v1/webhooks", new { url, event_types = new[] { "member.joined" }, community_id = community });
            Assert.Equal(["url"], (await response.Problem(HttpStatusCode.BadRequest, "validation_failed")).ErrorFields());
        }
    }

    [Fact]
    public async Task DisconnectingAPlatformCommunityIdWithANulIs400()
    {
        var id = (await App.Community()).Long("id");
        await App.Connect(id, "discord", "guild-1");
        var response = await App.Service().DeleteAsync($"/api/v1/communities/{id}/platforms/discord?platform_community_id=guild-1%00", Ct);
        Assert.Equal(["platform_community_id"], (await response.Problem(HttpStatusCode.BadRequest, "validation_failed")).ErrorFields());
        Assert.Single((await App.Service().GetAsync($"/api/v1/communities/{id}/platforms", Ct).Data()).EnumerateArray());
    }
}

public sealed class FoundByFuzzingTestsOnSqlite(SqliteApp app) : FoundByFuzzingTests(app), IClassFixture<SqliteApp>;

public sealed class FoundByFuzzingTestsOnPostgres(PostgresApp app) : FoundByFuzzingTests(app), IClassFixture<PostgresApp>;
