using System.Net;
using Community.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Community.Api.Tests.Platforms;

/// <summary>Connecting and disconnecting platform communities: uniqueness, tier limits and secret credentials.</summary>
public abstract class PlatformsTests(TestApp app) : ApiTest(app)
{
    private static string Platforms(long communityId) => $"/api/v1/communities/{communityId}/platforms";

    private Task<HttpResponseMessage> Connect(long communityId, string platform, string channel, object? credentials = null) =>
        App.Service().Post(Platforms(communityId), new { platform, platform_community_id = channel, display_name = "Main channel", credentials });

    [Fact]
    public async Task FirstConnectionIsPrimaryAndReportsCredentialsWithoutShowingThem()
    {
        var id = (await App.Community()).Long("id");
        var channel = Unique("chan");
        var first = await (await Connect(id, "twitch", channel, new { token = "s3cret" })).Data(HttpStatusCode.Created);
        Assert.Equal((id, "twitch", channel, "Main channel", true, true),
            (first.Long("community_id"), first.Str("platform"), first.Str("platform_community_id"), first.Str("display_name"),
                first.Bool("is_primary"), first.Bool("has_credentials")));
        Assert.False(first.TryGetProperty("credentials", out _));

        var second = await (await Connect(id, "discord", Unique("guild"))).Data(HttpStatusCode.Created);
        Assert.False(second.Bool("is_primary"));
        Assert.False(second.Bool("has_credentials"));

        var listed = (await (await App.Service().GetAsync(Platforms(id), Ct)).Data()).EnumerateArray().ToList();
        Assert.Equal([first.Long("id"), second.Long("id")], listed.Select(c => c.Long("id")));
        var summary = Assert.Single((await (await App.Service().GetAsync($"/api/v1/communities/{id}", Ct)).Data())
            .GetProperty("platforms").EnumerateArray(), p => p.Str("platform") == "twitch");
        Assert.Equal(channel, summary.Str("platform_community_id"));
    }

    [Theory]
    [InlineData("myspace")]
    [InlineData("Twitch")]
    [InlineData("")]
    public async Task UnsupportedPlatformIs400(string platform)
    {
        var id = (await App.Community()).Long("id");
        await (await Connect(id, platform, Unique())).Problem(HttpStatusCode.BadRequest, "unsupported_platform");
    }

    [Fact]
    public async Task MissingPlatformCommunityIdIs400()
    {
        var id = (await App.Community()).Long("id");
        var response = await App.Service().Post(Platforms(id), new { platform = "twitch" });
        Assert.Equal(["platform_community_id"], (await response.Problem(HttpStatusCode.BadRequest, "validation_failed")).ErrorFields());
    }

    [Fact]
    public async Task CredentialsMustBeAnObject()
    {
        var id = (await App.Community()).Long("id");
        var response = await App.Service().Post(Platforms(id), new { platform = "twitch", platform_community_id = Unique(), credentials = "token" });
        Assert.Equal(["credentials"], (await response.Problem(HttpStatusCode.BadRequest, "validation_failed")).ErrorFields());
    }

    [Fact]
    public async Task APlatformCommunityBelongsToOneActiveCommunity()
    {
        var channel = Unique("chan");
        var first = (await App.Community()).Long("id");
        var second = (await App.Community()).Long("id");
        await App.Connect(first, "twitch", channel);

        await (await Connect(second, "twitch", channel)).Problem(HttpStatusCode.Conflict, "platform_already_connected");
        await (await Connect(first, "twitch", channel)).Problem(HttpStatusCode.Conflict, "platform_already_connected");
        await App.Connect(second, "youtube", channel); // the same id on another platform is another community
    }

    [Fact]
    public async Task AfterDeactivationAnotherCommunityCanConnectTheChannel()
    {
        var channel = Unique("chan");
        var first = (await App.Community()).Long("id");
        var second = (await App.Community()).Long("id");
        await App.Connect(first, "discord", channel);
        await (await App.Service().DeleteAsync($"/api/v1/communities/{first}", Ct)).Data();

        await App.Connect(second, "discord", channel);

        // Restoring the first community does not take the channel back: its stale connection is dropped.
        await (await App.Service().PostAsync($"/api/v1/communities/{first}/restore", null, Ct)).Data();
        Assert.Empty((await (await App.Service().GetAsync(Platforms(first), Ct)).Data()).EnumerateArray());
        Assert.Single((await (await App.Service().GetAsync(Platforms(second), Ct)).Data()).EnumerateArray());
    }

    [Fact]
    public async Task ConnectingToADeactivatedCommunityIs409()
    {
        var id = (await App.Community()).Long("id");
        await (await App.Service().DeleteAsync($"/api/v1/communities/{id}", Ct)).Data();
        await (await Connect(id, "twitch", Unique())).Problem(HttpStatusCode.Conflict, "community_inactive");
    }

    [Fact]
    public async Task FreeTierAllowsThreeConnections()
    {
        var id = (await App.Community()).Long("id");
        foreach (var platform in new[] { "twitch", "discord", "slack" }) await App.Connect(id, platform);
        var problem = await (await Connect(id, "kick", Unique())).Problem(HttpStatusCode.Forbidden, "tier_limit_exceeded");
        Assert.Equal(3, problem.Int("limit"));
        Assert.Equal(3, await App.Db(db => db.PlatformConnections.CountAsync(p => p.CommunityId == id)));
    }

    [Fact]
    public async Task ConcurrentConnectsCannotOvershootTheTierLimit()
    {
        var id = (await App.Community()).Long("id");
        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Connect(id, "twitch", Unique("chan"))));
        Assert.Equal(3, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(3, responses.Count(r => r.StatusCode == HttpStatusCode.Forbidden));
        Assert.Equal(3, await App.Db(db => db.PlatformConnections.CountAsync(p => p.CommunityId == id)));
        Assert.Equal(1, await App.Db(db => db.PlatformConnections.CountAsync(p => p.CommunityId == id && p.IsPrimary)));
    }

    [Fact]
    public async Task ConcurrentConnectsOfOneChannelLetExactlyOneCommunityHaveIt()
    {
        var channel = Unique("chan");
        var ids = new List<long>();
        for (var i = 0; i < 4; i++) ids.Add((await App.Community()).Long("id"));
        var responses = await Task.WhenAll(ids.Select(id => Connect(id, "kick", channel)));
        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        foreach (var refused in responses.Where(r => r.StatusCode != HttpStatusCode.Created))
            await refused.Problem(HttpStatusCode.Conflict, "platform_already_connected");
    }

    [Fact]
    public async Task PremiumTierIsUnlimited()
    {
        var id = (await App.Community(extra: new { tier = "premium" })).Long("id");
        foreach (var platform in new[] { "twitch", "discord", "slack", "kick", "youtube", "twitch" }) await App.Connect(id, platform);
        Assert.Equal(6, (await (await App.Service().GetAsync(Platforms(id), Ct)).Data()).GetArrayLength());
    }

    [Fact]
    public async Task CredentialsNeverLeaveTheServiceAndAreEncryptedAtRest()
    {
        const string secret = "tw-oauth-VERY-SECRET-7c1d";
        var name = Unique("Creds");
        var id = (await App.Community(name)).Long("id");
        var service = App.Service();

        var bodies = new List<string>
        {
            await (await Connect(id, "twitch", Unique("chan"), new { access_token = secret, refresh_token = secret })).Content.ReadAsStringAsync(Ct),
        };
        foreach (var url in new[] { Platforms(id), $"/api/v1/communities/{id}", $"/api/v1/communities?q={name}", $"/api/v1/communities/{id}/stats" })
        {
            var response = await service.GetAsync(url, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            bodies.Add(await response.Content.ReadAsStringAsync(Ct));
        }
        Assert.All(bodies, body => Assert.DoesNotContain(secret, body));
        Assert.Contains("\"has_credentials\":true", bodies[1]);

        var stored = await App.Db(db => db.PlatformConnections.Where(p => p.CommunityId == id).Select(p => p.CredentialsCiphertext).SingleAsync());
        Assert.NotNull(stored);
        Assert.DoesNotContain(secret, stored);
        Assert.DoesNotContain("access_token", stored);
        var journal = await App.Db(async db => string.Join('\n',
            (await db.Events.Where(e => e.CommunityId == id).Select(e => e.DataJson).ToListAsync())
            .Concat(await db.AuditLog.Where(a => a.CommunityId == id).Select(a => a.AfterJson ?? "").ToListAsync())));
        Assert.DoesNotContain(secret, journal);
    }

    [Fact]
    public async Task DisconnectRemovesTheConnectionAndMovesPrimary()
    {
        var id = (await App.Community()).Long("id");
        await App.Connect(id, "twitch");
        var remaining = await App.Connect(id, "discord");

        var response = await App.Service().DeleteAsync($"{Platforms(id)}/twitch", Ct);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var left = Assert.Single((await (await App.Service().GetAsync(Platforms(id), Ct)).Data()).EnumerateArray());
        Assert.Equal(remaining.Long("id"), left.Long("id"));
        Assert.True(left.Bool("is_primary"));

        await (await App.Service().DeleteAsync($"{Platforms(id)}/twitch", Ct)).Problem(HttpStatusCode.NotFound, "platform_not_found");
        await (await App.Service().DeleteAsync($"{Platforms(id)}/myspace", Ct)).Problem(HttpStatusCode.BadRequest, "unsupported_platform");
    }

    [Fact]
    public async Task PlatformCommunityIdPicksOneOfSeveralConnections()
    {
        var id = (await App.Community()).Long("id");
        var (a, b) = (Unique("a"), Unique("b"));
        await App.Connect(id, "twitch", a);
        await App.Connect(id, "twitch", b);

        await (await App.Service().DeleteAsync($"{Platforms(id)}/twitch", Ct)).Problem(HttpStatusCode.Conflict, "conflict");
        await (await App.Service().DeleteAsync($"{Platforms(id)}/twitch?platform_community_id=nope", Ct))
            .Problem(HttpStatusCode.NotFound, "platform_not_found");
        Assert.Equal(HttpStatusCode.NoContent, (await App.Service().DeleteAsync($"{Platforms(id)}/twitch?platform_community_id={b}", Ct)).StatusCode);
        var left = Assert.Single((await (await App.Service().GetAsync(Platforms(id), Ct)).Data()).EnumerateArray());
        Assert.Equal(a, left.Str("platform_community_id"));
    }

    [Fact]
    public async Task PlatformsOfAnUnknownCommunityAre404()
    {
        await (await App.Service().GetAsync(Platforms(987654321), Ct)).Problem(HttpStatusCode.NotFound, "community_not_found");
        await (await Connect(987654321, "twitch", Unique())).Problem(HttpStatusCode.NotFound, "community_not_found");
    }
}

public sealed class PlatformsTestsOnSqlite(SqliteApp app) : PlatformsTests(app), IClassFixture<SqliteApp>;

public sealed class PlatformsTestsOnPostgres(PostgresApp app) : PlatformsTests(app), IClassFixture<PostgresApp>;
