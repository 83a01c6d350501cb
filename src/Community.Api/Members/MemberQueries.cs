using Community.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace Community.Api.Members;

/// <summary>Reads of memberships with the username the API shows beside them.</summary>
public static class MemberQueries
{
    /// <summary>A class with settable members (not a positional record) so EF can translate filters written after the projection.</summary>
    public sealed class MemberRow
    {
        public required Member Member { get; init; }
        public required string Username { get; init; }
    }

    public static IQueryable<MemberRow> MembersWithNames(this CommunityDb db) =>
        db.Members.AsNoTracking().Join(db.HubUsers, m => m.HubUserId, u => u.Id, (m, u) => new MemberRow { Member = m, Username = u.Username });

    public static Task<MemberRow?> FindMemberAsync(this CommunityDb db, long communityId, long hubUserId, CancellationToken ct) =>
        db.MembersWithNames().Where(r => r.Member.CommunityId == communityId && r.Member.HubUserId == hubUserId).FirstOrDefaultAsync(ct);

    /// <summary>What a downstream module needs to apply a ban everywhere: the community's channels and the user's accounts on those platforms.</summary>
    public static async Task<List<PlatformSync>> PlatformsToSyncAsync(this CommunityDb db, long communityId, long hubUserId, CancellationToken ct)
    {
        var connections = await db.PlatformConnections.AsNoTracking().Where(p => p.CommunityId == communityId && p.IsActive)
            .OrderBy(p => p.Id).Select(p => new { p.Platform, p.PlatformCommunityId }).ToListAsync(ct);
        var identities = await db.UserIdentities.AsNoTracking().Where(i => i.HubUserId == hubUserId)
            .OrderBy(i => i.Id).Select(i => new { i.Platform, i.PlatformUserId }).ToListAsync(ct);
        return connections.Select(c => new PlatformSync(c.Platform, c.PlatformCommunityId,
            identities.Where(i => i.Platform == c.Platform).Select(i => i.PlatformUserId).ToList())).ToList();
    }
}

/// <summary>One channel to apply a ban or unban to, with the user's accounts on that platform.</summary>
public sealed record PlatformSync(string Platform, string PlatformCommunityId, List<string> PlatformUserIds);
