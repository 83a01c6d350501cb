using System.Net;
using Community.Api.Tests.Infrastructure;

namespace Community.Api.Tests.Http;

/// <summary>Input that parses but must not be taken: bidi controls in names, and a JSON field given twice.</summary>
public abstract class RefusedInputTests(TestApp app) : ApiTest(app)
{
    public static TheoryData<string> BidiControls => ["\u202A", "\u202B", "\u202C", "\u202D", "\u202E", "\u2066", "\u2067", "\u2068", "\u2069"];

    private static string Spoof(string control) => $"admin{control}gnp.exe";

    [Theory]
    [MemberData(nameof(BidiControls))]
    public async Task ACommunityNameOrDisplayNameWithABidiControlIs400(string control)
    {
        var owner = new { platform = "twitch", platform_user_id = Unique("o") };
        var byName = await App.Service().Post("/api/v1/communities", new { name = Spoof(control), owner });
        Assert.Equal(["name"], (await byName.Problem(HttpStatusCode.BadRequest, "validation_failed")).ErrorFields());
        var byDisplayName = await App.Service().Post("/api/v1/communities", new { name = Unique(), display_name = Spoof(control), owner });
        Assert.Equal(["display_name"], (await byDisplayName.Problem(HttpStatusCode.BadRequest, "validation_failed")).ErrorFields());
        var byOwnerName = await App.Service().Post("/api/v1/communities",
            new { name = Unique(), owner = new { platform = "twitch", platform_user_id = Unique("o"), platform_username = Spoof(control) } });
        Assert.Equal(["owner.platform_username"], (await byOwnerName.Problem(HttpStatusCode.BadRequest, "validation_failed")).ErrorFields());

        var id = (await App.Community()).Long("id");
        foreach (var field in new[] { "name", "display_name" })
        {
            var update = await App.Service().Patch($"/api/v1/communities/{id}", new Dictionary<string, string> { [field] = Spoof(control) });
            Assert.Equal([field], (await update.Problem(HttpStatusCode.BadRequest, "validation_failed")).ErrorFields());
        }
    }

    [Fact]
    public async Task EveryUsernameAndDisplayNameFieldRefusesABidiOverride()
    {
        var spoof = Spoof("\u202E");
        var (id, channel) = await App.ConnectedCommunity();
        var user = (await App.Service().Post("/api/v1/users", new { username = Unique("u") }).Data(HttpStatusCode.Created)).Long("id");
        var requests = new (string Url, object Body, string Field)[]
        {
            ("/api/v1/users", new { username = spoof }, "username"),
            ("/api/v1/identities/resolve", new { platform = "twitch", platform_user_id = Unique("p"), platform_username = spoof }, "platform_username"),
            ($"/api/v1/users/{user}/identities", new { platform = "twitch", platform_user_id = Unique("p"), platform_username = spoof }, "platform_username"),
            ("/api/v1/members/join", new { platform = "twitch", platform_community_id = channel, platform_user_id = Unique("p"), platform_username = spoof }, "platform_username"),
            ($"/api/v1/communities/{id}/members", new { platform = "twitch", platform_user_id = Unique("p"), platform_username = spoof }, "platform_username"),
            ($"/api/v1/communities/{id}/platforms", new { platform = "discord", platform_community_id = Unique("g"), display_name = spoof }, "display_name"),
        };
        foreach (var (url, body, field) in requests)
            Assert.Equal([field], (await App.Service().Post(url, body).Problem(HttpStatusCode.BadRequest, "validation_failed")).ErrorFields());
    }

    [Fact]
    public async Task ADescriptionMayHoldBidiControlsForMixedDirectionText()
    {
        var description = "English, then \u2067עברית\u2069 in an isolate.";
        var created = await App.Community(extra: new { description });
        Assert.Equal(description, created.Str("description"));
    }

    [Theory]
    [InlineData("""{"name":"first","name":"second","owner_id":1}""")]
    [InlineData("""{"name":"first","Name":"second","owner_id":1}""")]
    [InlineData("""{"name":"first","owner":{"platform":"twitch","platform_user_id":"a","platform_user_id":"b"}}""")]
    public async Task AFieldGivenTwiceIs400(string body)
    {
        var response = await App.Service().PostRaw("/api/v1/communities", body);
        var problem = await response.Problem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Contains("more than once", problem.Str("detail"));
        Assert.Equal(0, await App.Db(db => Task.FromResult(db.Communities.Count(c => c.Name == "first" || c.Name == "second"))));
    }

    [Theory]
    [InlineData("""{"welcome_message":"first","welcome_message":"second"}""")]
    [InlineData("""{"reputation.weights":{"chat":1,"chat":2}}""")]
    public async Task ASettingGivenTwiceIs400(string body)
    {
        var id = (await App.Community(extra: new { tier = "premium" })).Long("id");
        var request = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/communities/{id}/settings")
            { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
        await (await App.Service().SendAsync(request, Ct)).Problem(HttpStatusCode.BadRequest, "validation_failed");
        var settings = await App.Service().GetAsync($"/api/v1/communities/{id}/settings", Ct).Data();
        Assert.Equal("Welcome to {community}, {user}!", settings.Str("welcome_message"));
    }

    [Fact]
    public async Task ACredentialGivenTwiceIs400()
    {
        var id = (await App.Community()).Long("id");
        var response = await App.Service().PostRaw($"/api/v1/communities/{id}/platforms",
            """{"platform":"twitch","platform_community_id":"dup","credentials":{"oauth_token":"a","oauth_token":"b"}}""");
        await response.Problem(HttpStatusCode.BadRequest, "validation_failed");
    }
}

public sealed class RefusedInputTestsOnSqlite(SqliteApp app) : RefusedInputTests(app), IClassFixture<SqliteApp>;

public sealed class RefusedInputTestsOnPostgres(PostgresApp app) : RefusedInputTests(app), IClassFixture<PostgresApp>;
