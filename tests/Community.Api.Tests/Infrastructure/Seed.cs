using System.Net;
using System.Text.Json;

namespace Community.Api.Tests.Infrastructure;

/// <summary>Setting up state through the API, the way a client would.</summary>
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
        app.Db(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.ToListAsync(
            db.Events.Where(e => e.CommunityId == communityId && e.Type == type).OrderBy(e => e.Id)));
}
