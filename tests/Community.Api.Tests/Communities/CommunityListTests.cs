using System.Net;
using System.Text.Json;
using Community.Api.Tests.Infrastructure;

namespace Community.Api.Tests.Communities;

/// <summary>Listing communities: search, filters and keyset pagination.</summary>
public abstract class CommunityListTests(TestApp app) : ApiTest(app)
{
    private async Task<JsonElement> Page(string query, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var response = await App.Service().GetAsync($"/api/v1/communities?{query}", Ct);
        var body = await response.Json();
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected} but got {(int)response.StatusCode}: {body}");
        return body;
    }

    private async Task<string[]> Names(string query) =>
        (await Page(query)).GetProperty("data").EnumerateArray().Select(c => c.Str("name")).Order().ToArray();

    /// <summary>A prefix no other community in the class has, so a search sees only this test's communities.</summary>
    private static string Token() => Guid.NewGuid().ToString("N")[..12];

    [Fact]
    public async Task SearchIsCaseInsensitiveOnNameAndDisplayName()
    {
        var token = Token();
        await App.Community($"{token}-Mixed-Case");
        await App.Community($"other-{Guid.NewGuid():N}"[..30], new { display_name = $"Shown {token.ToUpperInvariant()}" });
        await App.Community($"unrelated-{Guid.NewGuid():N}"[..30]);
        Assert.Equal(2, (await Names($"q={token.ToUpperInvariant()}")).Length);
        Assert.Equal([$"{token}-Mixed-Case"], await Names($"q={token}-mIXED"));
    }

    [Fact]
    public async Task SearchTreatsLikeWildcardsLiterally()
    {
        var token = Token();
        foreach (var suffix in new[] { "a%b", "aXXb", "c_d", "cYd" }) await App.Community($"{token}{suffix}");
        Assert.Equal([$"{token}a%b"], await Names($"q={Uri.EscapeDataString($"{token}a%b")}"));
        Assert.Equal([$"{token}c_d"], await Names($"q={token}c_d"));
        Assert.Empty(await Names($"q={token}%25"));
    }

    [Fact]
    public async Task SearchTreatsBackslashLiterally()
    {
        var token = Token();
        await App.Community($"{token}\\x");
        await App.Community($"{token}x");
        Assert.Equal([$"{token}\\x"], await Names($"q={Uri.EscapeDataString($"{token}\\")}"));
    }

    [Fact]
    public async Task SearchIsCaseInsensitiveBeyondAscii()
    {
        var token = Token();
        await App.Community($"{token}-ÄRGER");
        await App.Community($"{token}-plain", new { display_name = $"Große ÜBUNG {token}" });
        Assert.Equal([$"{token}-ÄRGER"], await Names($"q={Uri.EscapeDataString($"{token}-ärger")}"));
        Assert.Equal([$"{token}-plain"], await Names($"q={Uri.EscapeDataString($"große übung {token}")}"));
    }

    [Fact]
    public async Task FilterByPlatformAndTier()
    {
        var token = Token();
        var onTwitch = await App.Community($"{token}-twitch");
        await App.Connect(onTwitch.Long("id"), "twitch");
        var onDiscord = await App.Community($"{token}-discord-premium", new { tier = "premium" });
        await App.Connect(onDiscord.Long("id"), "discord");
        await App.Community($"{token}-none");

        Assert.Equal([$"{token}-twitch"], await Names($"q={token}&platform=twitch"));
        Assert.Equal([$"{token}-discord-premium"], await Names($"q={token}&tier=premium"));
        Assert.Equal([$"{token}-none", $"{token}-twitch"], await Names($"q={token}&tier=free"));
        Assert.Empty(await Names($"q={token}&platform=slack"));
    }

    [Fact]
    public async Task PagingThroughMoreThanAPageVisitsEveryCommunityExactlyOnce()
    {
        var token = Token();
        var created = new List<string>();
        for (var i = 0; i < 7; i++) created.Add((await App.Community($"{token}-{i}")).Str("name"));

        var seen = new List<string>();
        var pages = 0;
        string? cursor = null;
        do
        {
            var page = await Page($"q={token}&limit=3" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}"));
            var items = page.GetProperty("data").EnumerateArray().Select(c => c.Str("name")).ToList();
            Assert.InRange(items.Count, 1, 3);
            Assert.Equal(3, page.GetProperty("meta").Int("limit"));
            seen.AddRange(items);
            cursor = page.GetProperty("meta").GetProperty("next_cursor").GetString();
            pages++;
        } while (cursor is not null && pages < 10);

        Assert.Equal(3, pages);
        Assert.Equal(created, seen); // ordered, no duplicate, none missing
    }

    [Fact]
    public async Task LastPageHasANullCursor()
    {
        var token = Token();
        await App.Community($"{token}-only");
        var page = await Page($"q={token}&limit=1");
        Assert.Equal(JsonValueKind.Null, page.GetProperty("meta").GetProperty("next_cursor").ValueKind);
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=201", "limit")]
    [InlineData("limit=-1", "limit")]
    [InlineData("limit=abc", "limit")]
    [InlineData("tier=gold", "tier")]
    [InlineData("include_inactive=maybe", "include_inactive")]
    public async Task InvalidListParametersAre400(string query, string field)
    {
        var response = await App.Service().GetAsync($"/api/v1/communities?{query}", Ct);
        Assert.Equal([field], (await response.Problem(HttpStatusCode.BadRequest, "validation_failed")).ErrorFields());
    }

    [Theory]
    [InlineData("cursor=garbage")]
    [InlineData("cursor=!!!")]
    public async Task AnUnreadableCursorIsInvalidCursor(string query)
    {
        var response = await App.Service().GetAsync($"/api/v1/communities?{query}", Ct);
        Assert.Equal(["cursor"], (await response.Problem(HttpStatusCode.BadRequest, "invalid_cursor")).ErrorFields());
    }

    [Fact]
    public async Task LimitOf200IsAccepted() => Assert.Equal(200, (await Page("limit=200")).GetProperty("meta").Int("limit"));

    [Fact]
    public async Task UnsupportedPlatformFilterIs400()
    {
        var response = await App.Service().GetAsync("/api/v1/communities?platform=myspace", Ct);
        await response.Problem(HttpStatusCode.BadRequest, "unsupported_platform");
    }
}

public sealed class CommunityListTestsOnSqlite(SqliteApp app) : CommunityListTests(app), IClassFixture<SqliteApp>;

public sealed class CommunityListTestsOnPostgres(PostgresApp app) : CommunityListTests(app), IClassFixture<PostgresApp>;
