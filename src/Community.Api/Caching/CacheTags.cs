namespace Community.Api.Caching;

/// <summary>Cache tag names, in one place so the entries that carry them and the invalidations that drop them agree.</summary>
public static class CacheTags
{
    /// <summary>Every routing entry of one platform community (a channel, server or workspace).</summary>
    public static string PlatformCommunity(string platform, string platformCommunityId) => $"platform:{platform}:{platformCommunityId}";

    /// <summary>Every routing entry of one platform account.</summary>
    public static string Identity(string platform, string platformUserId) => $"identity:{platform}:{platformUserId}";

    /// <summary>
    /// Every entry that shows how a platform account was last seen (its platform username, avatar, <c>last_seen_at</c>),
    /// which a sighting rewrites with no event: apart from <see cref="Identity"/> so that it leaves routing entries alone.
    /// </summary>
    public static string Sighting(string platform, string platformUserId) => $"sighting:{platform}:{platformUserId}";

    /// <summary>Every entry that shows a hub user's username.</summary>
    public static string HubUser(long hubUserId) => $"hub-user:{hubUserId}";

    /// <summary>Every routing entry that shows the community (its name, tier, active state).</summary>
    public static string Community(long communityId) => $"community:{communityId}";

    /// <summary>Every routing entry that shows one hub user's standing in one community, member or not.</summary>
    public static string Membership(long communityId, long hubUserId) => $"membership:{communityId}:{hubUserId}";

    public static string Settings(long communityId) => $"settings:{communityId}";

    /// <summary>
    /// The tags of an entry that shows where a platform channel and account route to: the channel, the account (when one
    /// is named), the community and that account's membership there (when they exist). Routing entries and connector
    /// joins both carry them; <paramref name="capacity"/> leaves room for a caller's own.
    /// </summary>
    public static List<string> Route(string platform, string platformCommunityId, string? platformUserId, long? communityId, long? hubUserId,
        int capacity = 4)
    {
        var tags = new List<string>(capacity) { PlatformCommunity(platform, platformCommunityId) };
        if (platformUserId is not null) tags.Add(Identity(platform, platformUserId));
        if (communityId is { } community)
        {
            tags.Add(Community(community));
            if (hubUserId is { } user) tags.Add(Membership(community, user));
        }
        return tags;
    }
}
