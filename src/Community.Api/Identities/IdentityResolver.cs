using Community.Api.Auth;
using Community.Api.Caching;
using Community.Api.Data;
using Community.Api.Events;
using Community.Api.Hosting;
using Microsoft.EntityFrameworkCore;

namespace Community.Api.Identities;

/// <summary>The hub user a platform account belongs to, and whether this call created it.</summary>
public sealed record ResolvedIdentity(long HubUserId, bool Created);

/// <summary>
/// Finds or creates the hub user of a platform account, keyed by the platform's user id (names change).
/// Race-safe without locks: the unique (platform, platform_user_id) index decides which of several
/// concurrent creators wins; the losers roll back their new hub user and read the winner's.
/// </summary>
public sealed class IdentityResolver(CommunityDb db, TimeProvider clock, Journal journal, CommittedEvents commits, CacheInvalidator invalidator)
{
    /// <summary>How stale <c>last_seen_at</c> may get before a sighting writes it: keeps the hot path read-only.</summary>
    public static readonly TimeSpan LastSeenGranularity = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Inside the caller's transaction when there is one (what the caller writes next then commits with the account, and
    /// a caller that refuses after all leaves no account behind); otherwise each write commits on its own.
    /// </summary>
    public async Task<ResolvedIdentity> ResolveAsync(Caller caller, string platform, string platformUserId, string? platformUsername, string? avatarUrl, CancellationToken ct)
    {
        var outer = db.Database.CurrentTransaction;
        for (var attempt = 0; ; attempt++)
        {
            var existing = await FindAsync(platform, platformUserId, ct);
            if (existing is not null)
            {
                await RefreshAsync(existing, platformUsername, avatarUrl, ct);
                return new ResolvedIdentity(existing.HubUserId, false);
            }
            // Losing the creation race inside the caller's transaction undoes only the attempt, not what the caller wrote.
            if (outer is not null) await outer.CreateSavepointAsync(CreationSavepoint, ct);
            var created = await TryCreateAsync(caller, platform, platformUserId, platformUsername, avatarUrl, ct);
            if (created is not null) return new ResolvedIdentity(created.Value, true);
            if (outer is not null) await outer.RollbackToSavepointAsync(CreationSavepoint, ct);
            if (attempt == 3) throw new InvalidOperationException("Identity resolve lost the creation race repeatedly.");
        }
    }

    private const string CreationSavepoint = "identity_creation";

    /// <summary>
    /// The hub user of a platform account named by a caller who adds it somewhere (a member, an owner): resolved, created
    /// or refreshed as <see cref="ResolveAsync"/> does when <paramref name="mayWriteIdentities"/>; otherwise only found,
    /// with nothing about it changed. Null when it is not found.
    /// </summary>
    public async Task<long?> OwnerForAsync(Caller caller, bool mayWriteIdentities, string platform, string platformUserId, string? platformUsername,
        CancellationToken ct) =>
        mayWriteIdentities
            ? (await ResolveAsync(caller, platform, platformUserId, platformUsername, null, ct)).HubUserId
            : (await FindAsync(platform, platformUserId, ct))?.HubUserId;

    private Task<UserIdentity?> FindAsync(string platform, string platformUserId, CancellationToken ct) =>
        db.UserIdentities.AsNoTracking().FirstOrDefaultAsync(i => i.Platform == platform && i.PlatformUserId == platformUserId, ct);

    /// <summary>
    /// Creates hub user and identity, with <c>user.created</c>; null when another request created the identity first.
    /// Inside the caller's transaction when there is one, so what the caller writes next commits with them (the caller
    /// must roll back on null: a hub user no account names was written); otherwise in a transaction of its own.
    /// </summary>
    public async Task<long?> TryCreateAsync(Caller caller, string platform, string platformUserId, string? platformUsername, string? avatarUrl, CancellationToken ct)
    {
        var now = clock.UtcNow();
        var username = DerivedUsername(platform, platformUserId, platformUsername);
        await using var own = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
        var hubUserId = await db.Database.SqlQuery<long>($"""
            INSERT INTO hub_users (username, avatar_url, is_active, created_at, updated_at)
            VALUES ({username}, {avatarUrl}, {true}, {now}, {now}) RETURNING id AS "Value"
            """).ToListAsync(ct);
        var linked = await db.Database.SqlQuery<long>($"""
            INSERT INTO user_identities (hub_user_id, platform, platform_user_id, platform_username, avatar_url, is_primary, linked_at, last_seen_at)
            VALUES ({hubUserId[0]}, {platform}, {platformUserId}, {platformUsername}, {avatarUrl}, {true}, {now}, {now})
            ON CONFLICT (platform, platform_user_id) DO NOTHING RETURNING hub_user_id AS "Value"
            """).ToListAsync(ct);
        if (linked.Count == 0)
        {
            if (own is not null) await own.RollbackAsync(ct);
            return null;
        }
        var user = new { id = hubUserId[0], username, avatar_url = avatarUrl, created_at = now };
        var identity = new { platform, platform_user_id = platformUserId, platform_username = platformUsername };
        journal.Record(caller, EventTypes.UserCreated, null, "hub_user", hubUserId[0].ToString(), null, new { user, identity }, new { user, identity });
        await db.SaveChangesAsync(ct);
        if (own is not null) await own.CommitAsync(ct);
        return hubUserId[0];
    }

    /// <summary>
    /// Records a sighting: the platform's current username (and the hub username when it was derived from it)
    /// and <c>last_seen_at</c>, writing only when something changed or the sighting is over a minute newer. It records
    /// no event, so it drops the cached connector joins that show what it changed itself, once it has committed.
    /// </summary>
    private async Task RefreshAsync(UserIdentity identity, string? platformUsername, string? avatarUrl, CancellationToken ct)
    {
        var now = clock.UtcNow();
        if (IsRecorded(identity.PlatformUsername, identity.AvatarUrl, identity.LastSeenAt, platformUsername, avatarUrl, now)) return;
        var renamed = platformUsername is not null && platformUsername != identity.PlatformUsername;
        var newAvatar = avatarUrl is not null && avatarUrl != identity.AvatarUrl;

        var username = renamed ? platformUsername : identity.PlatformUsername;
        var avatar = newAvatar ? avatarUrl : identity.AvatarUrl;
        await db.UserIdentities.Where(i => i.Id == identity.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.PlatformUsername, username).SetProperty(i => i.AvatarUrl, avatar)
                .SetProperty(i => i.LastSeenAt, now), ct);
        string[] stale = [CacheTags.Sighting(identity.Platform, identity.PlatformUserId)];
        if (renamed && identity.IsPrimary)
        {
            // Only a hub username this account gave it (its old name, or the "platform:id" stand-in) follows the rename.
            var derived = DerivedUsername(identity.Platform, identity.PlatformUserId, identity.PlatformUsername);
            if (await db.HubUsers.Where(u => u.Id == identity.HubUserId && u.Username == derived)
                    .ExecuteUpdateAsync(s => s.SetProperty(u => u.Username, Truncate(platformUsername!, 100)).SetProperty(u => u.UpdatedAt, now), ct) > 0)
                stale = [.. stale, CacheTags.HubUser(identity.HubUserId)];
        }
        commits.AfterCommit(db, () => invalidator.Invalidate(stale));
    }

    /// <summary>
    /// Whether a sighting of an account stored with <paramref name="storedUsername"/>, <paramref name="storedAvatar"/>
    /// and <paramref name="lastSeenAt"/> would write nothing: the same name and avatar (or none given), seen within
    /// <see cref="LastSeenGranularity"/>.
    /// </summary>
    public static bool IsRecorded(string? storedUsername, string? storedAvatar, DateTime lastSeenAt, string? platformUsername, string? avatarUrl, DateTime now) =>
        (platformUsername is null || platformUsername == storedUsername) && (avatarUrl is null || avatarUrl == storedAvatar)
        && now - lastSeenAt < LastSeenGranularity;

    /// <summary>The hub username a platform account gives a user it creates.</summary>
    public static string DerivedUsername(string platform, string platformUserId, string? platformUsername) =>
        Truncate(platformUsername ?? $"{platform}:{platformUserId}", 100);

    private static string Truncate(string value, int max) => value.Length <= max ? value : value[..max];
}
