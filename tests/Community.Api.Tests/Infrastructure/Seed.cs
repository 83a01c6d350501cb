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
}
