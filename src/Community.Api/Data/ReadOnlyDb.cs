using Community.Api.Data.Replica;
using Microsoft.EntityFrameworkCore;

namespace Community.Api.Data;

/// <summary>
/// The context for reads that tolerate replication lag: community and member lists, statistics, the audit log,
/// reputation history, webhook delivery logs. A handler asks for it instead of <see cref="CommunityDb"/> for those
/// queries only; authorization (<c>CommunityAccess</c>), routing lookups and everything inside a write stay on
/// <see cref="CommunityDb"/>, the primary. With <c>DATABASE_READ_URL</c> its queries go to the replica while the replica
/// serves and has replayed the caller's own latest write (see <see cref="ReplicaRouting"/>); otherwise, and on SQLite,
/// to the primary. It tracks nothing and refuses to save.
/// </summary>
public sealed class ReadOnlyDb(DbContextOptions<ReadOnlyDb> options) : CommunityDb(options)
{
    /// <summary>
    /// Who reads and whether the request may use the replica at all; null outside a request (primary only). Set anew
    /// each time the context is taken from its pool, so it never carries another request's session.
    /// </summary>
    internal ReadSession? Session { get; set; }

    public override int SaveChanges(bool acceptAllChangesOnSuccess) => throw ReadOnly();

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default) => throw ReadOnly();

    private static InvalidOperationException ReadOnly() =>
        new("ReadOnlyDb reads only, perhaps from a replica; writes go through CommunityDb inside their transaction.");
}
