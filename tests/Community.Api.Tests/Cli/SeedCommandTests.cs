using System.Net;
using System.Text.Json;
using Community.Api.Events;
using Community.Api.Members;
using Community.Api.Reputation;
using Community.Api.Security;
using Community.Api.Tests.Events;
using Community.Api.Tests.Hosting;
using Community.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Community.Api.Tests.Cli;

/// <summary>
/// <c>seed</c> run as an operator runs it (a process, Production settings) against the test app's database; the app then
/// serves the seeded data, which must be valid by every rule the service keeps for the data it writes itself.
/// </summary>
public abstract class SeedCommandTests(TestApp app) : EventsTest(app)
{
    private Dictionary<string, string> Environment() => new()
    {
        ["ASPNETCORE_ENVIRONMENT"] = "Production",
        ["DATABASE_URL"] = App.DatabaseUrl,
        ["ENCRYPTION_KEY"] = TestKeys.EncryptionKey,
        ["Auth__ApiKeys__0__Name"] = "ops",
        ["Auth__ApiKeys__0__Key"] = CliTest.OpsKey,
        ["Auth__ApiKeys__0__Scopes__0"] = "*",
        ["Webhooks__AllowedHosts__0"] = "127.0.0.1",
    };

    private async Task<ProcessOutcome> SeedAsync(params string[] args)
    {
        var directory = Directory.CreateTempSubdirectory("community-seed-").FullName;
        try
        {
            return await ServiceProcess.RunAsync(directory, Environment(), ["seed", .. args]);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private async Task SeededAsync(params string[] args)
    {
        var outcome = await SeedAsync(args);
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
    }

    private static string Prefix() => Unique("s");

    [Fact]
    public async Task SeededCommunitiesKeepEveryRuleTheServiceKeeps()
    {
        var prefix = Prefix();
        var eventsBefore = await LastEventIdAsync();

        var outcome = await SeedAsync("--communities", "2", "--members", "130", "--reputation", "spread", "--left-percent", "10", "--prefix", prefix);

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Contains("Seeded 2 communities", outcome.Stdout);
        Assert.Equal(eventsBefore, await LastEventIdAsync()); // a bulk load, not a history: no events
        for (var c = 1; c <= 2; c++)
        {
            // The owner, found the way the Router finds a chat message's author.
            var routed = await (await App.Service().Lookup($"{prefix}-{c}", $"{prefix}-{c}-1")).Data();
            var id = routed.GetProperty("community").Long("id");
            Assert.Equal(("owner", 600, "active"), (routed.GetProperty("member").Str("role"), routed.GetProperty("member").Int("reputation"), routed.GetProperty("member").Str("status")));
            var community = await (await App.Service().GetAsync($"/api/v1/communities/{id}", Ct)).Data();
            Assert.Equal(routed.GetProperty("member").Long("hub_user_id"), community.Long("owner_id"));
            Assert.Equal(await App.MemberCount(id), community.Int("member_count"));
            Assert.InRange(community.Int("member_count"), 100, 129); // about 10 % have left
            Assert.Equal($"{prefix}-{c}", Assert.Single(community.GetProperty("platforms").EnumerateArray()).Str("platform_community_id"));
            Assert.Equal(1, await App.Db(db => db.Members.CountAsync(m => m.CommunityId == id && m.Role == Roles.Owner, Ct)));
            Assert.Equal(130, await App.Db(db => db.Members.Where(m => m.CommunityId == id)
                .Join(db.UserIdentities, m => m.HubUserId, i => i.HubUserId, (m, i) => i.PlatformUserId).Distinct().CountAsync(Ct)));

            var settings = await (await App.Service().GetAsync($"/api/v1/communities/{id}/settings", Ct)).Data();
            Assert.Equal((true, 600, "open"), (settings.GetProperty("welcome_enabled").GetBoolean(), settings.Int("reputation.starting_score"), settings.Str("join_mode")));

            var byJoined = await AllPagesAsync(id, "joined_at");
            Assert.Equal(community.Int("member_count"), byJoined.Count);
            Assert.Equal(byJoined.OrderBy(m => m.GetProperty("joined_at").GetDateTime()).Select(m => m.Long("hub_user_id")), byJoined.Select(m => m.Long("hub_user_id")));
            var byReputation = await AllPagesAsync(id, "reputation");
            Assert.Equal(byJoined.Select(m => m.Long("hub_user_id")).Order(), byReputation.Select(m => m.Long("hub_user_id")).Order());
            Assert.Equal(byReputation.Select(m => m.Int("reputation")).OrderDescending(), byReputation.Select(m => m.Int("reputation")));
            Assert.True(byReputation.Select(m => m.Int("reputation")).Distinct().Count() > 10, "--reputation spread gives a spread");
            Assert.All(byReputation, m => Assert.InRange(m.Int("reputation"), ReputationScale.Min, ReputationScale.Max));
        }
    }

    [Fact]
    public async Task TheServiceCarriesOnWritingAfterASeed()
    {
        var prefix = Prefix();
        await SeededAsync("--members", "60", "--left-percent", "20", "--prefix", prefix);
        var channel = $"{prefix}-1";
        var id = (await (await App.Service().Lookup(channel)).Data()).GetProperty("community").Long("id");
        var seededUsers = await App.Db(db => db.HubUsers.MaxAsync(u => u.Id, Ct));

        // A member chatting again: found as it is, nothing created.
        var again = await App.Join(channel, $"{prefix}-1-7", username: $"{prefix}_1_7");
        Assert.Equal((false, false), (again.GetProperty("created").GetBoolean(), again.GetProperty("user_created").GetBoolean()));

        // A member who left comes back with its reputation; member_count follows.
        var left = await App.Db(db => db.Members.Where(m => m.CommunityId == id && m.Status == MemberStatus.Left)
            .Join(db.UserIdentities, m => m.HubUserId, i => i.HubUserId, (m, i) => new { i.PlatformUserId, m.Reputation }).FirstAsync(Ct));
        var back = await App.Join(channel, left.PlatformUserId);
        Assert.True(back.GetProperty("created").GetBoolean());
        Assert.Equal(left.Reputation, back.GetProperty("member").Int("reputation"));

        // A new viewer: new hub user and membership, ids after the seeded ones.
        var joined = await App.Join(channel, $"{prefix}-new");
        Assert.Equal((true, true), (joined.GetProperty("created").GetBoolean(), joined.GetProperty("user_created").GetBoolean()));
        Assert.True(joined.Long("hub_user_id") > seededUsers);
        await App.MemberCount(id);
        Assert.Equal(2, (await App.Events(id, EventTypes.MemberJoined)).Count);

        var created = await App.Community();
        Assert.True(created.Long("id") > id);
        Assert.Equal(HttpStatusCode.Created, (await App.Service().Post($"/api/v1/communities/{id}/platforms", new { platform = "discord", platform_community_id = $"{prefix}-d" })).StatusCode);
    }

    [Fact]
    public async Task AWebhookBacklogIsDeliveredInOrderAndTheSubscriptionCarriesOn()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var prefix = Prefix();

        var outcome = await SeedAsync("--members", "40", "--prefix", prefix, "--webhook-url", receiver.Url, "--webhook-backlog", "25");

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Contains("25 pending deliveries", outcome.Stdout);
        var subscription = await App.Db(db => db.WebhookSubscriptions.SingleAsync(s => s.Url == receiver.Url, Ct));
        receiver.Secret = App.Services.GetRequiredService<SecretProtector>().Unprotect(subscription.SecretCiphertext);
        await DrainAsync();

        var received = receiver.Received;
        Assert.Equal(25, received.Count);
        Assert.All(received, r => Assert.True(r.SignatureValid));
        Assert.All(received, r => Assert.Equal(EventTypes.MemberJoined, r.Type));
        var members = received.Select(r => r.Json.GetProperty("data").GetProperty("data").GetProperty("member")).ToList();
        Assert.Equal(Enumerable.Range(16, 25).Select(j => $"{prefix}_1_{j}"), members.Select(m => m.Str("username")));
        Assert.All(members, m => Assert.Equal(("member", 600), (m.Str("role"), m.Int("reputation"))));
        Assert.Equal(received.Select(r => r.EventId).Order(), received.Select(r => r.EventId));

        await App.Join($"{prefix}-1", $"{prefix}-later");
        await DrainAsync();
        Assert.Equal(26, receiver.Received.Select(r => r.WebhookId).Distinct().Count());
        Assert.Equal($"{prefix}-later", receiver.Received[^1].Json.GetProperty("data").GetProperty("data").GetProperty("member").Str("username"));
    }

    [Fact]
    public async Task ABacklogSpreadOverCommunitiesGoesToOneSubscriptionOfEveryCommunityInOrderPerCommunity()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var prefix = Prefix();

        var outcome = await SeedAsync("--communities", "3", "--members", "10", "--prefix", prefix, "--webhook-url", receiver.Url,
            "--webhook-backlog", "7", "--webhook-communities", "3");

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Contains("7 pending deliveries", outcome.Stdout);
        var subscription = await App.Db(db => db.WebhookSubscriptions.SingleAsync(s => s.Url == receiver.Url, Ct));
        Assert.Null(subscription.CommunityId);
        receiver.Secret = App.Services.GetRequiredService<SecretProtector>().Unprotect(subscription.SecretCiphertext);
        await DrainAsync();

        var byCommunity = receiver.Received.GroupBy(r => r.CommunityId).ToDictionary(g => g.Key!.Value,
            g => g.Select(r => r.Json.GetProperty("data").GetProperty("data").GetProperty("member").Str("username")).ToList());
        Assert.Equal(7, receiver.Received.Count);
        Assert.Equal([3, 2, 2], byCommunity.OrderBy(c => c.Key).Select(c => c.Value.Count));
        var first = byCommunity.Keys.Min();
        Assert.Equal([$"{prefix}_1_8", $"{prefix}_1_9", $"{prefix}_1_10"], byCommunity[first]);
        Assert.Equal([$"{prefix}_3_9", $"{prefix}_3_10"], byCommunity[first + 2]);
        // Interleaved as a busy hour writes them: the communities' joins alternate in the outbox.
        Assert.Equal(receiver.Received.Select(r => r.EventId).Order(), receiver.Received.Select(r => r.EventId).OrderBy(id => id));
        Assert.NotEqual(receiver.Received.OrderBy(r => r.EventId).Select(r => r.CommunityId), receiver.Received.OrderBy(r => r.CommunityId).ThenBy(r => r.EventId).Select(r => r.CommunityId));
    }

    [Fact]
    public async Task WithOnlyAPrefixItSeedsOneCommunityOfAHundredMembers()
    {
        var prefix = Prefix();

        await SeededAsync("--prefix", prefix);

        var id = (await (await App.Service().Lookup($"{prefix}-1")).Data()).GetProperty("community").Long("id");
        Assert.Equal(100, await App.MemberCount(id));
        Assert.Equal(HttpStatusCode.NotFound, (await App.Service().Lookup($"{prefix}-2")).StatusCode);
    }

    [Fact]
    public async Task NamesThatAreTakenAreRefusedInOneSentenceAndTheEarlierSeedStays()
    {
        var prefix = Prefix();
        await SeededAsync("--members", "5", "--prefix", prefix);

        var outcome = await SeedAsync("--communities", "2", "--members", "5", "--prefix", prefix);

        Assert.Equal(1, outcome.ExitCode);
        Assert.Contains("choose another --prefix", Assert.Single(outcome.ErrorLines));
        var id = (await (await App.Service().Lookup($"{prefix}-1")).Data()).GetProperty("community").Long("id");
        Assert.Equal(5, await App.MemberCount(id));
        Assert.Equal(HttpStatusCode.NotFound, (await App.Service().Lookup($"{prefix}-2")).StatusCode);
    }

    [Fact]
    public async Task ABacklogWithoutATargetIsRefusedBeforeAnythingIsWritten()
    {
        var outcome = await SeedAsync("--webhook-backlog", "5", "--prefix", Prefix());
        Assert.Equal(1, outcome.ExitCode);
        Assert.Contains("--webhook-backlog needs --webhook-url.", outcome.Stderr);
    }

    private async Task<List<JsonElement>> AllPagesAsync(long communityId, string sort)
    {
        var all = new List<JsonElement>();
        string? cursor = null;
        do
        {
            var page = await (await App.Service().GetAsync($"/api/v1/communities/{communityId}/members?sort={sort}&limit=25{(cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}")}", Ct)).Json();
            all.AddRange(page.GetProperty("data").EnumerateArray());
            cursor = page.GetProperty("meta").GetProperty("next_cursor").GetString();
        } while (cursor is not null);
        return all;
    }
}

public sealed class SeedCommandTestsOnSqlite(EventsSqliteApp app) : SeedCommandTests(app), IClassFixture<EventsSqliteApp>;

public sealed class SeedCommandTestsOnPostgres(EventsPostgresApp app) : SeedCommandTests(app), IClassFixture<EventsPostgresApp>;
