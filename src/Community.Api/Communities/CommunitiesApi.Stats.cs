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
    /// <summary>Members by role and status, platforms, recent joins and the reputation distribution, in three aggregate queries.</summary>
    private static async Task<Results<Ok<Envelope<CommunityStats>>, ProblemHttpResult>> Stats(
        long id, Caller caller, CommunityAccess access, ReadOnlyDb reads, TimeProvider clock, CancellationToken ct)
    {
        var grant = await access.CheckAsync(caller, id, Permissions.ReadCommunity, ct);
        if (grant.Problem is { } denied) return denied;

        var members = reads.Members.AsNoTracking().Where(m => m.CommunityId == id);
        var groups = await members.GroupBy(m => new { m.Role, m.Status })
            .Select(g => new { g.Key.Role, g.Key.Status, Count = g.Count() }).ToListAsync(ct);

        var now = clock.UtcNow();
        DateTime day = now.AddDays(-1), week = now.AddDays(-7), month = now.AddDays(-30);
        var totals = await members.GroupBy(_ => 1).Select(g => new
        {
            Day = g.Count(m => m.JoinedAt >= day),
            Week = g.Count(m => m.JoinedAt >= week),
            Month = g.Count(m => m.JoinedAt >= month),
            Average = g.Where(m => m.Status == MemberStatus.Active).Average(m => (double?)m.Reputation),
            Exceptional = g.Count(m => m.Status == MemberStatus.Active && m.Reputation >= 800),
            VeryGood = g.Count(m => m.Status == MemberStatus.Active && m.Reputation >= 740 && m.Reputation < 800),
            Good = g.Count(m => m.Status == MemberStatus.Active && m.Reputation >= 670 && m.Reputation < 740),
            Fair = g.Count(m => m.Status == MemberStatus.Active && m.Reputation >= 580 && m.Reputation < 670),
            Poor = g.Count(m => m.Status == MemberStatus.Active && m.Reputation < 580),
        }).FirstOrDefaultAsync(ct);

        var platforms = await reads.Platforms.AsNoTracking().Where(p => p.CommunityId == id)
            .GroupBy(p => p.Platform).Select(g => new { Platform = g.Key, Count = g.Count() }).ToListAsync(ct);

        var byRole = Roles.All.ToDictionary(r => r, r => groups.Where(g => g.Role == r && g.Status == MemberStatus.Active).Sum(g => g.Count));
        var byStatus = MemberStatus.All.ToDictionary(s => s, s => groups.Where(g => g.Status == s).Sum(g => g.Count));
        var stats = new CommunityStats(
            id,
            new MemberStats(groups.Sum(g => g.Count), byStatus[MemberStatus.Active], byRole, byStatus),
            new PlatformStats(platforms.Sum(p => p.Count), platforms.ToDictionary(p => p.Platform, p => p.Count)),
            new JoinStats(totals?.Day ?? 0, totals?.Week ?? 0, totals?.Month ?? 0),
            new ReputationStats(totals?.Average is { } avg ? Math.Round(avg, 1) : null, new Dictionary<string, int>
            {
                ["Exceptional"] = totals?.Exceptional ?? 0, ["Very Good"] = totals?.VeryGood ?? 0, ["Good"] = totals?.Good ?? 0,
                ["Fair"] = totals?.Fair ?? 0, ["Poor"] = totals?.Poor ?? 0,
            }));
        return TypedResults.Ok(Envelope.Of(stats));
    }
}
