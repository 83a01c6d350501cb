using System.ComponentModel;
using Community.Api.Caching;
using Community.Api.Data;
using Community.Api.Operations;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Hybrid;

namespace Community.Api.Lookup;

/// <summary>What the Router needs to route one chat message, as cached. Immutable so the in-process cache shares it without copying.</summary>
[ImmutableObject(true)]
public sealed record RouteEntry(RouteCommunity? Community, RouteMember? Member);

[ImmutableObject(true)]
public sealed record RouteCommunity(long Id, string Name, string Tier, bool IsActive);

[ImmutableObject(true)]
public sealed record RouteMember(long HubUserId, string Role, int Reputation, string Status, DateTime? BannedAt, DateTime? BanExpiresAt);

/// <summary>
/// The routing context of (platform, platform community, platform user), cached. A miss costs one indexed query.
/// Entries are tagged with their platform community and platform account, so community-wide and identity changes
/// drop them by tag; a change to one membership drops exactly the entries that show it, by key, so a busy
/// community's reputation updates do not flush everyone else's entries.
/// </summary>
public sealed class RouteCache(HybridCache cache, CommunityDb db, CacheInvalidator invalidator)
{
    /// <summary>Length-prefixed so ids that contain the separator cannot collide.</summary>
    public static string Key(string platform, string platformCommunityId, string? platformUserId) =>
        $"route|{platform}|{platformCommunityId.Length}:{platformCommunityId}|{platformUserId}";

    // REVIEW: a miss that reads the database just before a write commits can store the old answer just after the
    // write's invalidation ran; it then lives until the entry expires (2 min in process, 10 min in Redis). Closing it
    // needs a version check on fill (or HybridCache's own fill timestamps); not done yet.
    public async Task<RouteEntry> GetAsync(string platform, string platformCommunityId, string? platformUserId, CancellationToken ct)
    {
        string[] tags = platformUserId is null
            ? [CacheTags.PlatformCommunity(platform, platformCommunityId)]
            : [CacheTags.PlatformCommunity(platform, platformCommunityId), CacheTags.Identity(platform, platformUserId)];
        var missed = false;
        var entry = await cache.GetOrCreateAsync(Key(platform, platformCommunityId, platformUserId), async token =>
        {
            missed = true;
            return await LoadAsync(platform, platformCommunityId, platformUserId, token);
        }, tags: tags, cancellationToken: ct);
        ServiceMetrics.CacheRequests.WithLabels("lookup", missed ? "miss" : "hit").Inc();
        return entry;
    }

    /// <summary>One query: the connection (an active one first), its community, and the account's membership there.</summary>
    private async Task<RouteEntry> LoadAsync(string platform, string platformCommunityId, string? platformUserId, CancellationToken ct)
    {
        var communities =
            from p in db.Platforms.AsNoTracking()
            where p.Platform == platform && p.PlatformCommunityId == platformCommunityId
            join c in db.Communities on p.CommunityId equals c.Id
            orderby p.IsActive descending
            select new { p, c };
        if (platformUserId is null)
        {
            var community = await communities.Select(x => new RouteCommunity(x.c.Id, x.c.Name, x.c.Tier, x.c.IsActive)).FirstOrDefaultAsync(ct);
            return new RouteEntry(community, null);
        }

        var row = await (
            from x in communities
            join i in db.UserIdentities.Where(i => i.Platform == platform && i.PlatformUserId == platformUserId)
                on x.p.Platform equals i.Platform into accounts
            from i in accounts.DefaultIfEmpty()
            join m in db.Members on new { CommunityId = x.c.Id, HubUserId = (long?)i!.HubUserId } equals new { m.CommunityId, HubUserId = (long?)m.HubUserId } into memberships
            from m in memberships.DefaultIfEmpty()
            select new
            {
                Community = new RouteCommunity(x.c.Id, x.c.Name, x.c.Tier, x.c.IsActive),
                Member = m == null ? null : new RouteMember(m.HubUserId, m.Role, m.Reputation, m.Status, m.BannedAt, m.BanExpiresAt),
            }).FirstOrDefaultAsync(ct);
        return new RouteEntry(row?.Community, row?.Member);
    }

    /// <summary>After one membership changed (joined, left, role, reputation, ban): drop the entries that show it.</summary>
    public async Task MemberChangedAsync(long communityId, long hubUserId)
    {
        var routes = await db.Platforms.AsNoTracking().Where(p => p.CommunityId == communityId)
            .Join(db.UserIdentities.Where(i => i.HubUserId == hubUserId), p => p.Platform, i => i.Platform,
                (p, i) => new { p.Platform, p.PlatformCommunityId, i.PlatformUserId })
            .ToListAsync();
        await invalidator.InvalidateAsync([], routes.Select(r => Key(r.Platform, r.PlatformCommunityId, r.PlatformUserId)).ToList());
    }

    /// <summary>After a community-wide change (rename, tier, deactivation, connections): drop every entry of its channels.</summary>
    public async Task CommunityChangedAsync(long communityId, params (string Platform, string PlatformCommunityId)[] removedConnections)
    {
        var connections = await db.Platforms.AsNoTracking().Where(p => p.CommunityId == communityId)
            .Select(p => new { p.Platform, p.PlatformCommunityId }).ToListAsync();
        var tags = connections.Select(c => CacheTags.PlatformCommunity(c.Platform, c.PlatformCommunityId))
            .Concat(removedConnections.Select(c => CacheTags.PlatformCommunity(c.Platform, c.PlatformCommunityId)))
            .Distinct().ToList();
        await invalidator.InvalidateAsync(tags, []);
    }

    /// <summary>After platform accounts appeared, moved between hub users or went away.</summary>
    public Task IdentitiesChangedAsync(IEnumerable<(string Platform, string PlatformUserId)> identities) =>
        invalidator.InvalidateAsync(identities.Select(i => CacheTags.Identity(i.Platform, i.PlatformUserId)).Distinct().ToList(), []);
}
