using System.Net;
using System.Text.Json;
using Community.Api.Tests.Infrastructure;

namespace Community.Api.Tests.Settings;

/// <summary>A community's settings: defaults, validation, reset to default, premium keys and ETags.</summary>
public abstract class SettingsTests(TestApp app) : ApiTest(app)
{
    private static string Url(long communityId) => $"/api/v1/communities/{communityId}/settings";

    private async Task<JsonElement> Get(long communityId) => await (await App.Service().GetAsync(Url(communityId), Ct)).Data();

    private async Task<long> NewCommunity(string tier = "free") => (await App.Community(extra: new { tier })).Long("id");

    [Fact]
    public async Task NewCommunityHasTheContractDefaults()
    {
        var settings = await Get(await NewCommunity());
        Assert.True(settings.Bool("welcome_enabled"));
        Assert.Equal("Welcome to {community}, {user}!", settings.Str("welcome_message"));
        Assert.Equal(("open", "!", "en", "UTC"), (settings.Str("join_mode"), settings.Str("command_prefix"), settings.Str("locale"), settings.Str("timezone")));
        Assert.Equal(600, settings.Int("reputation.starting_score"));
        Assert.Equal(JsonValueKind.Object, settings.GetProperty("reputation.weights").ValueKind);
        Assert.False(settings.Bool("moderation.auto_ban_enabled"));
        Assert.Equal(450, settings.Int("moderation.auto_ban_threshold"));
    }

    [Fact]
    public async Task PatchIsReflectedByTheNextGet()
    {
        var id = await NewCommunity();
        await Get(id); // fills the cache, which the PATCH must invalidate
        var patched = await (await App.Service().Patch(Url(id), new Dictionary<string, object>
        {
            ["welcome_enabled"] = false, ["join_mode"] = "approval", ["timezone"] = "Europe/Berlin", ["reputation.starting_score"] = 700,
        })).Data();
        Assert.Equal(patched.GetRawText(), (await Get(id)).GetRawText());
        var settings = await Get(id);
        Assert.False(settings.Bool("welcome_enabled"));
        Assert.Equal(("approval", "Europe/Berlin", 700), (settings.Str("join_mode"), settings.Str("timezone"), settings.Int("reputation.starting_score")));
        Assert.Equal("en", settings.Str("locale"));
    }

    [Theory]
    [InlineData("""{"no_such_setting": 1}""", "no_such_setting")]
    [InlineData("""{"welcome_enabled": "yes"}""", "welcome_enabled")]
    [InlineData("""{"welcome_message": ""}""", "welcome_message")]
    [InlineData("""{"join_mode": "closed"}""", "join_mode")]
    [InlineData("""{"command_prefix": "a b"}""", "command_prefix")]
    [InlineData("""{"locale": "english language"}""", "locale")]
    [InlineData("""{"timezone": "Mars/Olympus_Mons"}""", "timezone")]
    [InlineData("""{"reputation.starting_score": 299}""", "reputation.starting_score")]
    [InlineData("""{"reputation.starting_score": 851}""", "reputation.starting_score")]
    [InlineData("""{"reputation.starting_score": 600.5}""", "reputation.starting_score")]
    [InlineData("""{"reputation.starting_score": "600"}""", "reputation.starting_score")]
    [InlineData("""{"moderation.auto_ban_enabled": 1}""", "moderation.auto_ban_enabled")]
    [InlineData("""{"moderation.auto_ban_threshold": 1000}""", "moderation.auto_ban_threshold")]
    public async Task InvalidValueIs400NamingTheKey(string body, string key)
    {
        var id = await NewCommunity();
        var response = await App.Service().Send(HttpMethod.Patch, Url(id), JsonDocument.Parse(body).RootElement);
        Assert.Equal([key], (await response.Problem(HttpStatusCode.BadRequest, "validation_failed")).ErrorFields());
    }

    [Fact]
    public async Task OneBadKeyChangesNothing()
    {
        var id = await NewCommunity();
        var before = await Get(id);
        var response = await App.Service().Patch(Url(id), new Dictionary<string, object> { ["welcome_enabled"] = false, ["join_mode"] = "closed" });
        Assert.Equal(["join_mode"], (await response.Problem(HttpStatusCode.BadRequest, "validation_failed")).ErrorFields());
        Assert.Equal(before.GetRawText(), (await Get(id)).GetRawText());
    }

    [Fact]
    public async Task NullResetsAKeyToItsDefault()
    {
        var id = await NewCommunity();
        await (await App.Service().Patch(Url(id), new Dictionary<string, object> { ["command_prefix"] = "?", ["locale"] = "pt-BR" })).Data();
        var reset = await (await App.Service().Patch(Url(id), new Dictionary<string, object?> { ["command_prefix"] = null })).Data();
        Assert.Equal(("!", "pt-BR"), (reset.Str("command_prefix"), reset.Str("locale")));
        Assert.Equal("!", (await Get(id)).Str("command_prefix"));
    }

    [Fact]
    public async Task ReputationWeightsNeedAPremiumCommunity()
    {
        var weights = new Dictionary<string, object> { ["reputation.weights"] = new Dictionary<string, double> { ["message"] = 1.5, ["ban"] = -50 } };
        var free = await NewCommunity();
        await (await App.Service().Patch(Url(free), weights)).Problem(HttpStatusCode.Forbidden, "premium_required");
        Assert.Equal("{}", (await Get(free)).GetProperty("reputation.weights").GetRawText());

        var premium = await NewCommunity("premium");
        var patched = await (await App.Service().Patch(Url(premium), weights)).Data();
        Assert.Equal(-50, patched.GetProperty("reputation.weights").GetProperty("ban").GetDouble());
        Assert.Equal(1.5, (await Get(premium)).GetProperty("reputation.weights").GetProperty("message").GetDouble());
    }

    [Fact]
    public async Task ETagGuardsConcurrentEdits()
    {
        var id = await NewCommunity();
        var read = await App.Service().GetAsync(Url(id), Ct);
        var etag = read.ETag();

        var first = await App.Service().Patch(Url(id), new Dictionary<string, object> { ["locale"] = "de" }, ifMatch: etag);
        await first.Data();
        Assert.NotEqual(etag, first.ETag());
        Assert.Equal(first.ETag(), (await App.Service().GetAsync(Url(id), Ct)).ETag());

        var stale = await App.Service().Patch(Url(id), new Dictionary<string, object> { ["locale"] = "fr" }, ifMatch: etag);
        await stale.Problem(HttpStatusCode.PreconditionFailed, "precondition_failed");
        Assert.Equal("de", (await Get(id)).Str("locale"));
        Assert.Equal(HttpStatusCode.NotModified, (await App.Service().Get(Url(id), ifNoneMatch: first.ETag())).StatusCode);
    }

    [Fact]
    public async Task OfConcurrentPatchesWithOneETagExactlyOneWins()
    {
        var id = await NewCommunity();
        for (var round = 0; round < 5; round++) // the race is timing-dependent: give it several chances to show
        {
            var etag = (await App.Service().GetAsync(Url(id), Ct)).ETag();
            var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
                App.Service().Patch(Url(id), new Dictionary<string, object> { ["command_prefix"] = $"r{round}w{i}" }, ifMatch: etag)));
            Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
            foreach (var lost in responses.Where(r => r.StatusCode != HttpStatusCode.OK))
                await lost.Problem(HttpStatusCode.PreconditionFailed, "precondition_failed");
        }
    }

    [Fact]
    public async Task SettingsOfADeactivatedCommunityStayReadableButFrozen()
    {
        var id = await NewCommunity();
        await (await App.Service().DeleteAsync($"/api/v1/communities/{id}", Ct)).Data();
        Assert.Equal("en", (await Get(id)).Str("locale"));
        await (await App.Service().Patch(Url(id), new { locale = "de" })).Problem(HttpStatusCode.Conflict, "community_inactive");
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("\"locale\"")]
    [InlineData("{\"locale\": ")]
    public async Task ABodyThatIsNotAnObjectIs400(string body)
    {
        var id = await NewCommunity();
        var request = new HttpRequestMessage(HttpMethod.Patch, Url(id)) { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
        await (await App.Service().SendAsync(request, Ct)).Problem(HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task SettingsOfAnUnknownCommunityAre404()
    {
        await (await App.Service().GetAsync(Url(987654321), Ct)).Problem(HttpStatusCode.NotFound, "community_not_found");
        await (await App.Service().Patch(Url(987654321), new { locale = "de" })).Problem(HttpStatusCode.NotFound, "community_not_found");
    }
}

public sealed class SettingsTestsOnSqlite(SqliteApp app) : SettingsTests(app), IClassFixture<SqliteApp>;

public sealed class SettingsTestsOnPostgres(PostgresApp app) : SettingsTests(app), IClassFixture<PostgresApp>;
