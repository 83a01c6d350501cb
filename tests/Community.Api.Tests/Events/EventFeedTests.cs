using System.Net;
using System.Text.Json;
using Community.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Community.Api.Tests.Events;

public abstract class EventFeedTests(TestApp app) : EventsTest(app)
{
    [Fact]
    public async Task FeedListsACommunitysEventsInOrderWithTheirData()
    {
        var community = await App.Community();
        var id = community.Long("id");
        await App.Connect(id);
        await PatchSettingsAsync(id, "Hi {user}");

        var response = await (await App.Service().GetAsync($"/api/v1/events?community_id={id}", Ct)).Json();
        var items = response.GetProperty("data").EnumerateArray().ToArray();
        Assert.Equal(["community.created", "platform.connected", "settings.updated"], items.Select(e => e.Str("type")));
        Assert.True(items.Zip(items.Skip(1)).All(p => p.First.Long("id") < p.Second.Long("id")));
        Assert.All(items, e => Assert.Equal(id, e.Long("community_id")));
        Assert.All(items, e => Assert.EndsWith("Z", e.Str("occurred_at")));
        Assert.Equal(JsonValueKind.Object, items[0].GetProperty("data").ValueKind);
        Assert.Equal(community.Str("name"), items[0].GetProperty("data").Str("name"));
        var meta = response.GetProperty("meta");
        Assert.Equal(items[^1].Long("id"), meta.Long("next_after"));
        Assert.False(meta.Bool("has_more"));
        Assert.Equal(50, meta.Int("limit"));
    }

    [Fact]
    public async Task PagingWithAfterWalksTheFeedAndWaitsAtItsEnd()
    {
        var id = (await App.Community()).Long("id");
        for (var i = 0; i < 3; i++) await PatchSettingsAsync(id, $"message {i}");
        var client = App.Service();

        var first = await (await client.GetAsync($"/api/v1/events?community_id={id}&limit=2", Ct)).Json();
        Assert.Equal(2, first.GetProperty("data").GetArrayLength());
        Assert.True(first.GetProperty("meta").Bool("has_more"));
        var after = first.GetProperty("meta").Long("next_after");

        var second = await (await client.GetAsync($"/api/v1/events?community_id={id}&limit=2&after={after}", Ct)).Json();
        Assert.Equal(2, second.GetProperty("data").GetArrayLength());
        Assert.False(second.GetProperty("meta").Bool("has_more"));
        Assert.True(second.GetProperty("data")[0].Long("id") > after);
        var end = second.GetProperty("meta").Long("next_after");

        var third = await (await client.GetAsync($"/api/v1/events?community_id={id}&after={end}", Ct)).Json();
        Assert.Equal(0, third.GetProperty("data").GetArrayLength());
        Assert.Equal(end, third.GetProperty("meta").Long("next_after"));

        var filtered = await (await client.GetAsync($"/api/v1/events?community_id={id}&types=settings.updated,platform.connected", Ct)).Data();
        Assert.Equal(3, filtered.GetArrayLength());
        Assert.All(filtered.EnumerateArray(), e => Assert.Equal("settings.updated", e.Str("type")));
    }

    [Fact]
    public async Task RolledBackChangeLeavesNoEvent()
    {
        var start = await LastEventIdAsync();
        var name = EventTestSettings.PoisonPrefix + Guid.NewGuid().ToString("N")[..12];
        var response = await App.Service().Post("/api/v1/communities",
            new { name, owner = new { platform = "twitch", platform_user_id = Unique("u") } });
        await response.Problem(HttpStatusCode.InternalServerError, "internal_error");

        Assert.False(await App.Db(db => db.Communities.AnyAsync(c => c.NameKey == name)));
        Assert.False(await App.Db(db => db.Events.AnyAsync(e => e.Id > start && e.DataJson.Contains(name))));
        // The failed writer let go of everything: the next write commits its event.
        var next = await App.Community();
        var feed = await (await App.Service().GetAsync($"/api/v1/events?after={start}", Ct)).Data();
        Assert.Contains(feed.EnumerateArray(), e => e.Str("type") == "community.created" && e.Long("community_id") == next.Long("id"));
    }

    [Fact]
    public async Task AUserMustNameACommunity()
    {
        var problem = await (await App.User(4242).GetAsync("/api/v1/events", Ct)).Problem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Contains("required", problem.GetProperty("errors").GetProperty("community_id")[0].GetString());
    }

    [Fact]
    public async Task OnlyAdminsOfTheCommunityReadItsFeed()
    {
        var open = await App.Community();
        var closed = await App.Community(extra: new { is_public = false });
        var owner = App.User(open.Long("owner_id"));
        Assert.Equal(1, (await (await owner.GetAsync($"/api/v1/events?community_id={open.Long("id")}", Ct)).Data()).GetArrayLength());

        var stranger = App.User(open.Long("owner_id") + 1000);
        await (await stranger.GetAsync($"/api/v1/events?community_id={open.Long("id")}", Ct)).Problem(HttpStatusCode.Forbidden, "insufficient_role");
        await (await stranger.GetAsync($"/api/v1/events?community_id={closed.Long("id")}", Ct)).Problem(HttpStatusCode.NotFound, "community_not_found");
        await (await App.User(1, superAdmin: true).GetAsync("/api/v1/events", Ct)).Data();
    }

    [Fact]
    public async Task AServiceNeedsTheEventsReadScope()
    {
        await (await App.Service(TestKeys.NoScopes).GetAsync("/api/v1/events", Ct)).Problem(HttpStatusCode.Forbidden, "forbidden");
        await (await App.Service(TestKeys.ReadOnly).GetAsync("/api/v1/events", Ct)).Data();
        await (await App.Service().GetAsync("/api/v1/events?community_id=999999", Ct)).Problem(HttpStatusCode.NotFound, "community_not_found");
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=201", "limit")]
    [InlineData("after=-1", "after")]
    [InlineData("types=member.joined,nope", "types")]
    [InlineData("after=abc", "after")]
    public async Task BadParametersAre400(string query, string field)
    {
        var problem = await (await App.Service().GetAsync($"/api/v1/events?{query}", Ct)).Problem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task CommittedEventsAreCounted()
    {
        var before = await CounterAsync("settings.updated");
        await PatchSettingsAsync((await App.Community()).Long("id"), "counted");
        Assert.True(await CounterAsync("settings.updated") >= before + 1);
    }

    private async Task<double> CounterAsync(string type)
    {
        var text = await App.Anonymous().GetStringAsync("/metrics", Ct);
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith($"waddlebot_events_written_total{{type=\"{type}\"}}"));
        return line is null ? 0 : double.Parse(line.Split(' ')[^1], System.Globalization.CultureInfo.InvariantCulture);
    }
}

public sealed class EventFeedTestsOnSqlite(EventsSqliteApp app) : EventFeedTests(app), IClassFixture<EventsSqliteApp>;

public sealed class EventFeedTestsOnPostgres(EventsPostgresApp app) : EventFeedTests(app), IClassFixture<EventsPostgresApp>;
