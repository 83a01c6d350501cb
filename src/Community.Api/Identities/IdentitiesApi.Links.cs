using Community.Api.Platforms;
using Community.Api.Auth;
using Community.Api.Data;
using Community.Api.Events;
using Community.Api.Hosting;
using Community.Api.Http;
using Community.Api.Lookup;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Community.Api.Identities;

/// <summary>Linking and unlinking platform accounts, and merging the hub users they belong to.</summary>
public static partial class IdentitiesApi
{
    /// <summary>
    /// 201 when linked now, 200 when already this user's. An account owned by another hub user is 409
    /// <c>identity_linked_elsewhere</c>, unless <c>merge: true</c>: then that user is merged into this one. Both users are
    /// locked, lowest id first, and re-checked inside the transaction, so two opposite merges cannot both succeed and a
    /// merge chain never forms a cycle.
    /// </summary>
    private static async Task<Results<Created<Envelope<HubUserResponse>>, Ok<Envelope<HubUserResponse>>, ProblemHttpResult>> Link(
        long id, LinkIdentityRequest request, Access access, CommunityDb db, Journal journal,
        UserMerger merger, TimeProvider clock, CancellationToken ct)
    {
        var errors = new FieldErrors();
        if (errors.Account(request.Platform, request.PlatformUserId) is { } unsupported) return unsupported;
        var username = errors.Name("platform_username", request.PlatformUsername, 255);
        if (errors.HasProblem(out var invalid)) return invalid;

        var platform = request.Platform!;
        var platformUserId = request.PlatformUserId!.Trim();
        var account = db.UserIdentities.Where(i => i.Platform == platform && i.PlatformUserId == platformUserId);
        for (var attempt = 0; attempt < 3; attempt++)
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var seen = await account.Select(i => (long?)i.HubUserId).FirstOrDefaultAsync(ct);
            var users = await db.LockUsersForUpdateAsync(seen is { } s ? [id, s] : [id], ct);
            if (users.GetValueOrDefault(id) is not { IsActive: true }) return Problems.UserNotFound(id);
            var owner = await account.Select(i => (long?)i.HubUserId).FirstOrDefaultAsync(ct);
            if (owner != seen) continue; // the account moved before its owner was locked: look again
            if (owner == id) return TypedResults.Ok(Envelope.Of((await db.RepresentUserAsync(id, ct))!));
            if (owner is { } other)
            {
                if (request.Merge != true)
                    return Problems.Conflict(ErrorCodes.IdentityLinkedElsewhere,
                        $"The {platform} account '{platformUserId}' belongs to hub user {other}; send merge: true to merge that user into {id}.");
                if (users.GetValueOrDefault(other) is not { IsActive: true }) continue; // merged away meanwhile: its accounts moved on
                await merger.MergeAsync(access.Caller, other, id, ct);
                await tx.CommitAsync(ct);
                return TypedResults.Ok(Envelope.Of((await db.RepresentUserAsync(id, ct))!));
            }

            var now = clock.UtcNow();
            var identity = new UserIdentity
            {
                HubUserId = id, Platform = platform, PlatformUserId = platformUserId, PlatformUsername = username,
                IsPrimary = !await db.UserIdentities.AnyAsync(i => i.HubUserId == id, ct), LinkedAt = now, LastSeenAt = now,
            };
            db.UserIdentities.Add(identity);
            journal.Record(access.Caller, EventTypes.IdentityLinked, null, "hub_user", id.ToString(), null, IdentityResponse.From(identity),
                new { hub_user_id = id, identity = IdentityResponse.From(identity) });
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException e) when (DbErrors.IsUniqueViolation(e, "user_identities", "platform"))
            {
                db.ChangeTracker.Clear(); // another request linked it first: look again
                continue;
            }
            await tx.CommitAsync(ct);
            return TypedResults.Created($"/api/v1/users/{id}", Envelope.Of((await db.RepresentUserAsync(id, ct))!));
        }
        return Problems.Conflict(ErrorCodes.Conflict, "The account changed hands repeatedly while linking; retry.");
    }

    private static async Task<Results<Ok<Envelope<HubUserResponse>>, ProblemHttpResult>> Unlink(
        long id, string platform, string platformUserId, Access access, CommunityDb db, Journal journal,
        CancellationToken ct)
    {
        if (!Platforms.SupportedPlatforms.IsSupported(platform)) return PlatformProblems.Unsupported(platform);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.LockUsersForUpdateAsync([id], ct); // one change of a user's accounts at a time, so exactly one stays primary
        var identity = await db.UserIdentities.FirstOrDefaultAsync(i => i.HubUserId == id && i.Platform == platform && i.PlatformUserId == platformUserId, ct);
        if (identity is null) return IdentityProblems.NotFound(platform, platformUserId);
        db.UserIdentities.Remove(identity);
        if (identity.IsPrimary)
        {
            var next = await db.UserIdentities.Where(i => i.HubUserId == id && i.Id != identity.Id).OrderBy(i => i.Id).FirstOrDefaultAsync(ct);
            if (next is not null) next.IsPrimary = true;
        }
        var removed = IdentityResponse.From(identity);
        journal.Record(access.Caller, EventTypes.IdentityUnlinked, null, "hub_user", id.ToString(), removed, null, new { hub_user_id = id, identity = removed });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return TypedResults.Ok(Envelope.Of((await db.RepresentUserAsync(id, ct))!));
    }
}
