using Community.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace Community.Api.Communities;

/// <summary>Builds community representations, with their platform summaries, the same way for every endpoint.</summary>
public static class CommunityQueries
{
    public static async Task<CommunityResponse> RepresentAsync(this CommunityDb db, Community community, CancellationToken ct)
    {
        var platforms = await db.PlatformConnections.AsNoTracking().Where(p => p.CommunityId == community.Id).OrderBy(p => p.Id)
            .Select(p => new CommunityPlatformSummary(p.Platform, p.PlatformCommunityId, p.DisplayName)).ToListAsync(ct);
        return CommunityResponse.From(community, platforms);
    }

    /// <summary>Representations of a page of communities with one query for all their platforms.</summary>
    public static async Task<Dictionary<long, List<CommunityPlatformSummary>>> PlatformsOfAsync(this CommunityDb db, IReadOnlyCollection<long> ids, CancellationToken ct)
    {
        var rows = await db.PlatformConnections.AsNoTracking().Where(p => ids.Contains(p.CommunityId)).OrderBy(p => p.Id)
            .Select(p => new { p.CommunityId, Summary = new CommunityPlatformSummary(p.Platform, p.PlatformCommunityId, p.DisplayName) })
            .ToListAsync(ct);
        return rows.GroupBy(r => r.CommunityId).ToDictionary(g => g.Key, g => g.Select(r => r.Summary).ToList());
    }

    /// <summary>
    /// Takes the community's row lock for the rest of the transaction (PostgreSQL <c>FOR NO KEY UPDATE</c>; SQLite's
    /// transactions already hold its single writer lock). Every write that checks or changes a community's state or its
    /// memberships takes it before it reads what it checks, so those writes run one at a time per community and no
    /// check is made stale by a concurrent write. Lock order, everywhere: hub users, then the community, then its rows.
    /// Returns the community as locked (untracked), so the lock is also the read; null when it does not exist.
    /// </summary>
    public static async Task<Community?> LockCommunityAsync(this CommunityDb db, long id, CancellationToken ct) =>
        (await db.Communities.FromSqlRaw(db.IsPostgres ? LockCommunityPostgres : FindCommunitySqlite, id).AsNoTracking().ToListAsync(ct)).SingleOrDefault();

    private const string LockCommunityPostgres = "SELECT * FROM communities WHERE id = {0} FOR NO KEY UPDATE";
    private const string FindCommunitySqlite = "SELECT * FROM communities WHERE id = {0}";

    /// <summary>A LIKE pattern matching <paramref name="text"/> anywhere, with LIKE's wildcards escaped by backslash.</summary>
    public static string ContainsPattern(string text) =>
        $"%{text.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_")}%";
}
