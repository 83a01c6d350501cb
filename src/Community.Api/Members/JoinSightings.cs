using Community.Api.Caching;
using Community.Api.Data;
using Community.Api.Lookup;
using Microsoft.EntityFrameworkCore;

namespace Community.Api.Members;

/// <summary>
/// What a connector join reads first: the channel's community, the account as last seen (if known), and its membership
/// there. Cached and shared by every request that reads it: never modified.
/// </summary>
public sealed class Sighting
{
    public required long CommunityId { get; init; }
    public required bool CommunityActive { get; init; }
    /// <summary>As the welcome message names the community.</summary>
    public required string CommunityName { get; init; }
    public required long? HubUserId { get; init; }
    public required string? PlatformUsername { get; init; }
    public required string? AvatarUrl { get; init; }
    public required DateTime? LastSeenAt { get; init; }
    public required Member? Member { get; init; }
    public required string? Username { get; init; }
}

/// <summary>
/// The sightings connector joins read, cached in <see cref="TaggedCache"/> beside the routing entries, so an active member
/// chatting again is answered with no database round trip. Each entry is tagged with everything it shows: the channel,
/// the community, the account (created, linked, unlinked, merged), how the account was last seen (a sighting's write
/// records no event: <see cref="Identities.IdentityResolver"/> drops these itself once it commits), the membership, and
/// the hub user's username. A miss costs the one query a join made before.
/// </summary>
public sealed class JoinSightings(TaggedCache cache)
{
    /// <summary>Null when no community holds the channel.</summary>
    public ValueTask<Sighting?> GetAsync(CommunityDb db, string platform, string channel, string platformUserId, CancellationToken ct) =>
        cache.GetOrLoadAsync("join", RouteCache.Key("join", platform, channel, platformUserId),
            token => LoadAsync(db, platform, channel, platformUserId, token), ct);

    private static async Task<Loaded<Sighting?>> LoadAsync(CommunityDb db, string platform, string channel, string platformUserId, CancellationToken ct)
    {
        var sighting = await FindSighting.For(db)(db, platform, channel, platformUserId, ct);
        var tags = CacheTags.Route(platform, channel, platformUserId, sighting?.CommunityId, sighting?.HubUserId, capacity: 6);
        tags.Add(CacheTags.Sighting(platform, platformUserId));
        if (sighting?.HubUserId is { } hubUserId) tags.Add(CacheTags.HubUser(hubUserId));
        // An account never seen is created by the very join that read it, which drops the entry at once: not kept, so a
        // raid of new viewers does not fill the cache with entries nobody reads.
        return new(sighting, tags, Keep: sighting is not { CommunityActive: true, LastSeenAt: null });
    }

    /// <summary>
    /// One query (bench/sql/join_existing.sql is its anchor): the community a channel belongs to (its active connection,
    /// else a deactivated community that still holds it), with the account and its membership there when they exist;
    /// null when no community holds the channel. Compiled once: building this expression tree and having EF look it up
    /// in its query cache cost more CPU per join than the query itself (a profile of active-member joins put them at 45 %
    /// of the process, the query at 11 %).
    /// </summary>
    private static readonly CompiledPerModel<Func<CommunityDb, string, string, string, CancellationToken, Task<Sighting?>>> FindSighting =
        new(() => EF.CompileAsyncQuery((CommunityDb db, string platform, string channel, string platformUserId, CancellationToken ct) => (
            from p in db.PlatformConnections.AsNoTracking()
            where p.Platform == platform && p.PlatformCommunityId == channel
            join c in db.Communities on p.CommunityId equals c.Id
            join i in db.UserIdentities.Where(i => i.Platform == platform && i.PlatformUserId == platformUserId) on p.Platform equals i.Platform into accounts
            from i in accounts.DefaultIfEmpty()
            join m in db.Members on new { CommunityId = c.Id, HubUserId = (long?)i!.HubUserId } equals new { m.CommunityId, HubUserId = (long?)m.HubUserId } into memberships
            from m in memberships.DefaultIfEmpty()
            join u in db.HubUsers on m!.HubUserId equals u.Id into users
            from u in users.DefaultIfEmpty()
            orderby p.IsActive descending
            select new Sighting
            {
                CommunityId = c.Id, CommunityActive = c.IsActive, CommunityName = c.DisplayName ?? c.Name, HubUserId = (long?)i!.HubUserId,
                PlatformUsername = i.PlatformUsername, AvatarUrl = i.AvatarUrl, LastSeenAt = (DateTime?)i.LastSeenAt, Member = m, Username = u!.Username,
            }).FirstOrDefault()));
}
