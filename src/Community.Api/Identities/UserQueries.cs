using Community.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace Community.Api.Identities;

public static class UserQueries
{
    private const string UserState = "SELECT is_active, merged_into_id FROM hub_users WHERE id = {0}"; // snake_case, as the model names columns

    /// <summary>The hub user with its platform accounts (primary first), or null.</summary>
    public static async Task<HubUserResponse?> RepresentUserAsync(this CommunityDb db, long id, CancellationToken ct)
    {
        var user = await db.HubUsers.AsNoTracking().FirstOrDefaultAsync(u => u.Id == id, ct);
        if (user is null) return null;
        var identities = await db.UserIdentities.AsNoTracking().Where(i => i.HubUserId == id)
            .OrderByDescending(i => i.IsPrimary).ThenBy(i => i.Id).ToListAsync(ct);
        return new HubUserResponse(user.Id, user.Username, user.Email, user.AvatarUrl, user.IsActive, user.MergedIntoId, user.CreatedAt,
            identities.Select(IdentityResponse.From).ToList());
    }

    /// <summary>
    /// Inside a write's transaction, share-locks the hub user (PostgreSQL <c>FOR SHARE</c>; SQLite's transactions hold
    /// its single writer lock) so it cannot be merged away before the write commits, and returns the id to act on: the
    /// user itself while active; with <paramref name="followMerges"/>, the active user it was merged into (a join never
    /// lands on a merged user); otherwise null, as for a user that does not exist.
    /// </summary>
    public static async Task<long?> LockActiveUserAsync(this CommunityDb db, long id, bool followMerges, CancellationToken ct)
    {
        var sql = db.IsPostgres ? UserState + " FOR SHARE" : UserState;
        // Merges never form a cycle (both users are locked and re-checked), so a chain ends; the bound is only a guard.
        for (var hops = 0; hops < 16; hops++)
        {
            var rows = await db.Database.SqlQueryRaw<UserState>(sql, id).ToListAsync(ct);
            if (rows is not [var user]) return null;
            if (user.IsActive) return id;
            if (!followMerges || user.MergedIntoId is not { } next) return null;
            id = next;
        }
        return null;
    }

    /// <summary>
    /// Locks hub users for update, lowest id first (every writer that locks several users does so in this order, so two
    /// writers never wait for each other in a circle), and returns their state.
    /// </summary>
    public static async Task<Dictionary<long, UserState>> LockUsersForUpdateAsync(this CommunityDb db, IReadOnlyCollection<long> ids, CancellationToken ct)
    {
        var result = new Dictionary<long, UserState>();
        var sql = db.IsPostgres ? UserState + " FOR UPDATE" : UserState;
        foreach (var id in ids.Distinct().Order())
            if (await db.Database.SqlQueryRaw<UserState>(sql, id).ToListAsync(ct) is [var user]) result[id] = user;
        return result;
    }
}

/// <summary>Whether a hub user is active, and whom it was merged into.</summary>
public sealed record UserState(bool IsActive, long? MergedIntoId);
