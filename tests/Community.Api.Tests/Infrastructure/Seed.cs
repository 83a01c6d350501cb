using System.Net;
using System.Text.Json;
using Community.Api.Identities;
using Community.Api.Members;
using Microsoft.EntityFrameworkCore;
using Community.Api.Reputation;

namespace Community.Api.Tests.Infrastructure;

/// <summary>Setting up state through the API, the way a client would (and through the database where the API cannot yet).</summary>
public static class Seed
{
    /// <summary>Creates a community owned by a new hub user (resolved from a fresh Twitch account); returns its JSON.</summary>
    public static async Task<JsonElement> Community(this TestApp app, string? name = null, object? extra = null, string? ownerPlatformUserId = null)
    {
        var body = new Dictionary<string, object?>
        {
            ["name"] = name ?? $"c-{Guid.NewGuid():N}"[..20],
            ["owner"] = new { platform = "twitch", platform_user_id = ownerPlatformUserId ?? $"owner-{Guid.NewGuid():N}", platform_username = "owner" },
        };
        if (extra is not null)
            foreach (var property in JsonSerializer.SerializeToElement(extra).EnumerateObject())
                body[property.Name] = property.Value;
        return await (await app.Service().Post("/api/v1/communities", body)).Data(HttpStatusCode.Created);
    }

    /// <summary>Connects a platform community to <paramref name="communityId"/>; returns the connection JSON.</summary>
    public static async Task<JsonElement> Connect(this TestApp app, long communityId, string platform = "twitch", string? platformCommunityId = null) =>
        await (await app.Service().Post($"/api/v1/communities/{communityId}/platforms",
            new { platform, platform_community_id = platformCommunityId ?? $"chan-{Guid.NewGuid():N}" })).Data(HttpStatusCode.Created);

    /// <summary>A platform connector's join: returns the join response's <c>data</c>.</summary>
    public static async Task<JsonElement> Join(this TestApp app, string platformCommunityId, string platformUserId, string platform = "twitch",
        string? username = null) =>
        await (await app.Service().Post("/api/v1/members/join",
            new { platform, platform_community_id = platformCommunityId, platform_user_id = platformUserId, platform_username = username ?? platformUserId }))
            .Data();

    /// <summary>A platform connector's leave: returns the leave response's <c>data</c>.</summary>
    public static async Task<JsonElement> Leave(this TestApp app, string platformCommunityId, string platformUserId, string platform = "twitch") =>
        await (await app.Service().Post("/api/v1/members/leave",
            new { platform, platform_community_id = platformCommunityId, platform_user_id = platformUserId })).Data();

    /// <summary>A community with one connected Twitch channel; returns (community id, channel id).</summary>
    public static async Task<(long CommunityId, string Channel)> ConnectedCommunity(this TestApp app, object? extra = null)
    {
        var community = await app.Community(extra: extra);
        var channel = $"chan-{Guid.NewGuid():N}";
        await app.Connect(community.GetProperty("id").GetInt64(), "twitch", channel);
        return (community.GetProperty("id").GetInt64(), channel);
    }

    /// <summary>Events of a type for a community, straight from the outbox.</summary>
    public static Task<List<Api.Events.OutboxEvent>> Events(this TestApp app, long? communityId, string type) =>
        app.Db(db => db.Events.Where(e => e.CommunityId == communityId && e.Type == type).OrderBy(e => e.Id).ToListAsync());

    /// <summary>The <c>data</c> of those events, oldest first; with <paramref name="hubUserId"/> only those whose <c>member</c> is that user.</summary>
    public static async Task<List<JsonElement>> EventData(this TestApp app, long? communityId, string type, long? hubUserId = null) =>
        (await app.Events(communityId, type)).Select(e => JsonDocument.Parse(e.DataJson).RootElement.Clone())
            .Where(d => hubUserId is null || d.GetProperty("member").GetProperty("hub_user_id").GetInt64() == hubUserId).ToList();

    /// <summary>The community's stored <c>member_count</c>, asserted equal to its active membership rows.</summary>
    public static async Task<int> MemberCount(this TestApp app, long communityId)
    {
        var (stored, active) = await app.Db(async db => (
            await db.Communities.Where(c => c.Id == communityId).Select(c => c.MemberCount).SingleAsync(),
            await db.Members.CountAsync(m => m.CommunityId == communityId && m.Status == MemberStatus.Active)));
        Assert.Equal(active, stored);
        return stored;
    }

    public static async Task<JsonElement> Member(this TestApp app, long communityId, long hubUserId) =>
        await (await app.Service().GetAsync($"/api/v1/communities/{communityId}/members/{hubUserId}")).Data();

    public static async Task<JsonElement> SetReputation(this TestApp app, long communityId, long hubUserId, int value) =>
        await (await app.Service().Post($"/api/v1/communities/{communityId}/members/{hubUserId}/reputation", new { value, reason = "test" })).Data();

    /// <summary>PATCHes settings by their dotted keys.</summary>
    public static async Task<JsonElement> Settings(this TestApp app, long communityId, Dictionary<string, object?> changes) =>
        await (await app.Service().Patch($"/api/v1/communities/{communityId}/settings", changes)).Data();

    public static Task<HttpResponseMessage> Lookup(this HttpClient client, string channel, string? platformUserId = null, string platform = "twitch") =>
        client.GetAsync($"/api/v1/lookup?platform={platform}&platform_community_id={Uri.EscapeDataString(channel)}"
            + (platformUserId is null ? "" : $"&platform_user_id={Uri.EscapeDataString(platformUserId)}"));

    /// <summary>
    /// Inserts a hub user and their membership straight into the database (for states the API cannot reach directly);
    /// returns the hub user id. <c>member_count</c> is not touched.
    /// </summary>
    public static Task<long> InsertMember(this TestApp app, long communityId, string role = Roles.Member, int reputation = ReputationScale.Default,
        string status = MemberStatus.Active, DateTime? joinedAt = null) => app.Db(async db =>
    {
        var now = app.Clock.GetUtcNow().UtcDateTime;
        var user = new HubUser { Username = $"u-{Guid.NewGuid():N}"[..14], CreatedAt = now, UpdatedAt = now };
        db.HubUsers.Add(user);
        await db.SaveChangesAsync();
        db.Members.Add(new Member
        {
            CommunityId = communityId, HubUserId = user.Id, Role = role, Reputation = reputation, Status = status,
            JoinedAt = joinedAt ?? now, UpdatedAt = now,
        });
        await db.SaveChangesAsync();
        return user.Id;
    });
}
