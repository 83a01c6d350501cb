using Community.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace Community.Api.Communities;

/// <summary>Builds community representations, with their platform summaries, the same way for every endpoint.</summary>
public static class CommunityQueries
{
    public static async Task<CommunityResponse> RepresentAsync(this CommunityDb db, Community community, CancellationToken ct)
    {
        var platforms = await db.Platforms.AsNoTracking().Where(p => p.CommunityId == community.Id).OrderBy(p => p.Id)
            .Select(p => new CommunityPlatformSummary(p.Platform, p.PlatformCommunityId, p.DisplayName)).ToListAsync(ct);
        return CommunityResponse.From(community, platforms);
    }

    /// <summary>Representations of a page of communities with one query for all their platforms.</summary>
    public static async Task<Dictionary<long, List<CommunityPlatformSummary>>> PlatformsOfAsync(this CommunityDb db, IReadOnlyCollection<long> ids, CancellationToken ct)
    {
        var rows = await db.Platforms.AsNoTracking().Where(p => ids.Contains(p.CommunityId)).OrderBy(p => p.Id)
            .Select(p => new { p.CommunityId, Summary = new CommunityPlatformSummary(p.Platform, p.PlatformCommunityId, p.DisplayName) })
            .ToListAsync(ct);
        return rows.GroupBy(r => r.CommunityId).ToDictionary(g => g.Key, g => g.Select(r => r.Summary).ToList());
    }

    /// <summary>
    /// Takes the community's row lock for the rest of the transaction (PostgreSQL; SQLite's writer lock is already
    /// held) and returns the community as it is now. Writes that check the community's state (active, tier, counts)
    /// against what they are about to add run one at a time per community, so no check is made stale by a concurrent write.
    /// </summary>
    public static async Task<Community> LockCommunityAsync(this CommunityDb db, long id, CancellationToken ct)
    {
        await db.Communities.Where(c => c.Id == id).ExecuteUpdateAsync(s => s.SetProperty(c => c.Version, c => c.Version), ct);
        return await db.Communities.AsNoTracking().FirstAsync(c => c.Id == id, ct);
    }

    /// <summary>A LIKE pattern matching <paramref name="text"/> anywhere, with LIKE's wildcards escaped by backslash.</summary>
    public static string ContainsPattern(string text) =>
        $"%{text.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_")}%";
}
