namespace Community.Api.Caching;

/// <summary>Cache tag names, in one place so writers and readers agree.</summary>
public static class CacheTags
{
    /// <summary>Every routing entry of one platform community (a channel, server or workspace).</summary>
    public static string PlatformCommunity(string platform, string platformCommunityId) => $"platform:{platform}:{platformCommunityId}";

    /// <summary>Every routing entry of one platform account.</summary>
    public static string Identity(string platform, string platformUserId) => $"identity:{platform}:{platformUserId}";

    public static string Settings(long communityId) => $"settings:{communityId}";
}
