using Community.Api.Caching;
using Community.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace Community.Api.Lookup;

/// <summary>What the Router needs to route one chat message, as cached: immutable, shared by every request that reads it.</summary>
public sealed record RouteEntry(RouteCommunity? Community, RouteMember? Member);

public sealed record RouteCommunity(long Id, string Name, string Tier, bool IsActive);

public sealed record RouteMember(long HubUserId, string Role, int Reputation, string Status, DateTime? BannedAt, DateTime? BanExpiresAt);

/// <summary>
/// The routing context of (platform, platform community, platform user), cached in <see cref="TaggedCache"/>. A miss
/// costs one indexed query. Each entry is tagged with its channel, its community, its account and the membership it
/// shows (or would show), so every write drops exactly the entries that show what it changed (see
/// <see cref="InvalidationOnCommit"/>), and a busy community's reputation updates leave everyone else's entries alone.
/// </summary>
public sealed class RouteCache(TaggedCache cache, IServiceProvider services)
{
    /// <summary>
    /// The key of what <paramref name="cache"/> holds for a channel and account (the routing entries here, connector joins'
    /// sightings): length-prefixed so ids that contain the separator cannot collide.
    /// </summary>
    public static string Key(string cache, string platform, string platformCommunityId, string? platformUserId) =>
        $"{cache}|{platform}|{platformCommunityId.Length}:{platformCommunityId}|{platformUserId}";

    public async Task<RouteEntry> GetAsync(string platform, string platformCommunityId, string? platformUserId, CancellationToken ct) =>
        await cache.GetOrLoadAsync("lookup", Key("lookup", platform, platformCommunityId, platformUserId),
            token => LoadAsync(platform, platformCommunityId, platformUserId, token), ct);

    /// <summary>One query: the connection (an active one first), its community, the account's hub user and its membership there.</summary>
    private async Task<Loaded<RouteEntry>> LoadAsync(string platform, string platformCommunityId, string? platformUserId, CancellationToken ct)
    {
        // Only a miss needs the database: a hit never rents a pooled context.
        var db = services.GetRequiredService<CommunityDb>();
        var communities =
            from p in db.PlatformConnections.AsNoTracking()
            where p.Platform == platform && p.PlatformCommunityId == platformCommunityId
            join c in db.Communities on p.CommunityId equals c.Id
            orderby p.IsActive descending
            select new { p, c };
        if (platformUserId is null)
        {
            var community = await communities.Select(x => new RouteCommunity(x.c.Id, x.c.Name, x.c.Tier, x.c.IsActive)).FirstOrDefaultAsync(ct);
            return new(new RouteEntry(community, null), CacheTags.Route(platform, platformCommunityId, null, community?.Id, null));
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
                HubUserId = (long?)i!.HubUserId,
                Member = m == null ? null : new RouteMember(m.HubUserId, m.Role, m.Reputation, m.Status, m.BannedAt, m.BanExpiresAt),
            }).FirstOrDefaultAsync(ct);
        return new(new RouteEntry(row?.Community, row?.Member),
            CacheTags.Route(platform, platformCommunityId, platformUserId, row?.Community.Id, row?.HubUserId));
    }
}
