using Community.Api.Reputation;
using Community.Api.Auth;
using Community.Api.Data;
using Community.Api.Hosting;
using Community.Api.Http;
using Community.Api.Members;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Community.Api.Communities;

public static partial class CommunitiesApi
{
    /// <summary>Members by role and status, platforms, recent joins and the reputation distribution, in four aggregate queries.</summary>
    private static async Task<Results<Ok<Envelope<CommunityStats>>, ProblemHttpResult>> Stats(
        long id, Access access, ReadOnlyDb reads, TimeProvider clock, CancellationToken ct)
    {
        var members = reads.Members.AsNoTracking().Where(m => m.CommunityId == id);
        var groups = await members.GroupBy(m => new { m.Role, m.Status })
            .Select(g => new { g.Key.Role, g.Key.Status, Count = g.Count() }).ToListAsync(ct);

        var now = clock.UtcNow();
        DateTime day = now.AddDays(-1), week = now.AddDays(-7), month = now.AddDays(-30);
        var joins = await members.GroupBy(_ => 1).Select(g => new
        {
            Day = g.Count(m => m.JoinedAt >= day),
            Week = g.Count(m => m.JoinedAt >= week),
            Month = g.Count(m => m.JoinedAt >= month),
        }).FirstOrDefaultAsync(ct);
        // Active members per score (at most 551 rows), bucketed here by the one definition of the tiers.
        var scores = await members.Where(m => m.Status == MemberStatus.Active).GroupBy(m => m.Reputation)
            .Select(g => new { Score = g.Key, Count = g.Count() }).ToListAsync(ct);

        var platforms = await reads.PlatformConnections.AsNoTracking().Where(p => p.CommunityId == id)
            .GroupBy(p => p.Platform).Select(g => new { Platform = g.Key, Count = g.Count() }).ToListAsync(ct);

        var byRole = Roles.All.ToDictionary(r => r, r => groups.Where(g => g.Role == r && g.Status == MemberStatus.Active).Sum(g => g.Count));
        var byStatus = MemberStatus.All.ToDictionary(s => s, s => groups.Where(g => g.Status == s).Sum(g => g.Count));
        var active = scores.Sum(s => s.Count);
        var stats = new CommunityStats(
            id,
            new MemberStats(groups.Sum(g => g.Count), byStatus[MemberStatus.Active], byRole, byStatus),
            new PlatformStats(platforms.Sum(p => p.Count), platforms.ToDictionary(p => p.Platform, p => p.Count)),
            new JoinStats(joins?.Day ?? 0, joins?.Week ?? 0, joins?.Month ?? 0),
            new ReputationStats(active == 0 ? null : Math.Round(scores.Sum(s => (double)s.Score * s.Count) / active, 1),
                ReputationScale.Tiers.ToDictionary(t => t.Name, t => scores.Where(s => s.Score >= t.From && s.Score <= t.To).Sum(s => s.Count))));
        return TypedResults.Ok(Envelope.Of(stats));
    }
}
