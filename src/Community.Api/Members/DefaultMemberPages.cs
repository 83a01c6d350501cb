using System.Collections.Concurrent;
using Community.Api.Data;
using Microsoft.EntityFrameworkCore;
using static Community.Api.Members.MemberQueries;
using PageQuery = System.Func<Community.Api.Data.ReadOnlyDb, long, System.DateTime, int, long,
    System.Collections.Generic.IAsyncEnumerable<Community.Api.Members.MemberQueries.MemberRow>>;

namespace Community.Api.Members;

/// <summary>
/// The member page almost every caller asks for: active members, no role or name filter, by <c>joined_at</c> or by
/// <c>reputation</c>, first page or after a cursor. PostgreSQL reads it with its own data reader
/// (<see cref="PostgresMemberPages"/>); SQLite runs it compiled. Otherwise EF funcletizes the page's expression tree and
/// looks it up in its query cache on every page (with building the tree, about half of a SQLite page's CPU, whose page
/// after a cursor is two seeks joined by a Concat). The SQL is the one <see cref="MembersApi"/> composes for the same
/// page. One compiled query per sort, first page or not, and page size (at most 4 x the largest limit), because the
/// size stays a constant in the SQL (see <see cref="Http.Paging.TakePage{T}"/>).
/// </summary>
public static class DefaultMemberPages
{
    private static readonly ConcurrentDictionary<(bool ByReputation, bool AfterCursor, int Take), CompiledPerModel<PageQuery>> Compiled = new();

    /// <summary>Up to <paramref name="take"/> rows after <paramref name="after"/> (the cursor's sort key and user), or from the first when it is empty.</summary>
    public static Task<List<MemberRow>> ReadAsync(ReadOnlyDb db, long communityId, bool byReputation, long[] after, int take, CancellationToken ct)
    {
        if (db.IsPostgres) return PostgresMemberPages.ReadAsync(db, communityId, byReputation, after, take, ct);
        var page = Compiled.GetOrAdd((byReputation, after.Length > 0, take), key => new(() => Compile(key))).For(db);
        var rows = after is [var key, var userId]
            ? byReputation
                ? page(db, communityId, default, (int)key, userId)
                : page(db, communityId, new DateTime(key, DateTimeKind.Utc), 0, userId)
            : page(db, communityId, default, 0, 0);
        return rows.ToListAsync(ct).AsTask();
    }

    private static PageQuery Compile((bool ByReputation, bool AfterCursor, int Take) key) =>
        !key.AfterCursor ? FirstPage(key.ByReputation, key.Take)
        : key.ByReputation ? AfterReputation(key.Take) : AfterJoinedAt(key.Take);

    // The join is written out rather than taken from MemberQueries.MembersWithNames: a compiled query cannot call a
    // method that builds part of it (EF refuses to translate the call). EF inlines captured values of a compiled query
    // as constants, so the size is one.
    private static PageQuery FirstPage(bool byReputation, int take) => byReputation
        ? EF.CompileAsyncQuery((ReadOnlyDb db, long communityId, DateTime joinedAt, int reputation, long hubUserId) =>
            db.Members.AsNoTracking().Join(db.HubUsers, m => m.HubUserId, u => u.Id, (m, u) => new MemberRow { Member = m, Username = u.Username })
                .Where(r => r.Member.CommunityId == communityId && r.Member.Status == MemberStatus.Active)
                .OrderByDescending(r => r.Member.Reputation).ThenByDescending(r => r.Member.HubUserId)
                .Take(take))
        : EF.CompileAsyncQuery((ReadOnlyDb db, long communityId, DateTime joinedAt, int reputation, long hubUserId) =>
            db.Members.AsNoTracking().Join(db.HubUsers, m => m.HubUserId, u => u.Id, (m, u) => new MemberRow { Member = m, Username = u.Username })
                .Where(r => r.Member.CommunityId == communityId && r.Member.Status == MemberStatus.Active)
                .OrderBy(r => r.Member.JoinedAt).ThenBy(r => r.Member.HubUserId)
                .Take(take));

    // SQLite's form of a page after a cursor (EF has no row values there), as MembersApi composes it: the rest of the
    // cursor's tie group and what sorts strictly after it, each its own index seek.
    private static PageQuery AfterReputation(int take) =>
        EF.CompileAsyncQuery((ReadOnlyDb db, long communityId, DateTime joinedAt, int reputation, long hubUserId) =>
            db.Members.AsNoTracking().Join(db.HubUsers, m => m.HubUserId, u => u.Id, (m, u) => new MemberRow { Member = m, Username = u.Username })
                .Where(r => r.Member.CommunityId == communityId && r.Member.Status == MemberStatus.Active)
                .Where(r => r.Member.Reputation == reputation && r.Member.HubUserId < hubUserId)
                .OrderByDescending(r => r.Member.Reputation).ThenByDescending(r => r.Member.HubUserId).Take(take)
                .Concat(db.Members.AsNoTracking().Join(db.HubUsers, m => m.HubUserId, u => u.Id, (m, u) => new MemberRow { Member = m, Username = u.Username })
                    .Where(r => r.Member.CommunityId == communityId && r.Member.Status == MemberStatus.Active)
                    .Where(r => r.Member.Reputation < reputation)
                    .OrderByDescending(r => r.Member.Reputation).ThenByDescending(r => r.Member.HubUserId).Take(take))
                .OrderByDescending(r => r.Member.Reputation).ThenByDescending(r => r.Member.HubUserId)
                .Take(take));

    private static PageQuery AfterJoinedAt(int take) =>
        EF.CompileAsyncQuery((ReadOnlyDb db, long communityId, DateTime joinedAt, int reputation, long hubUserId) =>
            db.Members.AsNoTracking().Join(db.HubUsers, m => m.HubUserId, u => u.Id, (m, u) => new MemberRow { Member = m, Username = u.Username })
                .Where(r => r.Member.CommunityId == communityId && r.Member.Status == MemberStatus.Active)
                .Where(r => r.Member.JoinedAt == joinedAt && r.Member.HubUserId > hubUserId)
                .OrderBy(r => r.Member.JoinedAt).ThenBy(r => r.Member.HubUserId).Take(take)
                .Concat(db.Members.AsNoTracking().Join(db.HubUsers, m => m.HubUserId, u => u.Id, (m, u) => new MemberRow { Member = m, Username = u.Username })
                    .Where(r => r.Member.CommunityId == communityId && r.Member.Status == MemberStatus.Active)
                    .Where(r => r.Member.JoinedAt > joinedAt)
                    .OrderBy(r => r.Member.JoinedAt).ThenBy(r => r.Member.HubUserId).Take(take))
                .OrderBy(r => r.Member.JoinedAt).ThenBy(r => r.Member.HubUserId)
                .Take(take));
}
