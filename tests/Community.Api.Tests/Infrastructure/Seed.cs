using System.Net;
using System.Text.Json;
using Community.Api.Identities;
using Community.Api.Members;

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

    /// <summary>
    /// Inserts a hub user and their membership straight into the database (the members API is not built yet);
    /// returns the hub user id. <c>member_count</c> is not touched.
    /// </summary>
    public static Task<long> Member(this TestApp app, long communityId, string role = Roles.Member, int reputation = Reputation.Default,
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
