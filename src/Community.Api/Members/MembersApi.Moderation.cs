using Community.Api.Auth;
using Community.Api.Data;
using Community.Api.Hosting;
using Community.Api.Http;
using Community.Api.Identities;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Community.Api.Members;

/// <summary>Bans and timeouts: moderators and above, on members ranked below them.</summary>
public static partial class MembersApi
{
    /// <summary>Longest timeout: ten years. Anything longer is a ban; say so by leaving the duration out.</summary>
    private const long MaxTimeoutSeconds = 10L * 365 * 24 * 3600;

    private static async Task<Results<Ok<Envelope<MemberResponse>>, ProblemHttpResult>> Ban(
        long id, long hubUserId, BanRequest request, Access access, CommunityDb db, Memberships memberships,
        CancellationToken ct)
    {
        var errors = new FieldErrors();
        var reason = errors.Text("reason", request.Reason, 500, required: true);
        if (request.DurationSeconds is < 1 or > MaxTimeoutSeconds)
            errors.Add("duration_seconds", $"Must be between 1 and {MaxTimeoutSeconds} seconds; leave it out for a ban without end.");
        if (errors.HasProblem(out var invalid)) return invalid;


        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (await db.LockActiveUserAsync(hubUserId, followMerges: false, ct) is null) return Problems.UserNotFound(hubUserId);
        if (await access.ConfirmAsync(ct) is { } refused) return refused;
        var target = await db.Members.AsNoTracking().FirstOrDefaultAsync(m => m.CommunityId == id && m.HubUserId == hubUserId, ct);
        if (target is not null)
        {
            if (target.Role == Roles.Owner)
                return MemberRules.OnOwner(access,
                    Problems.Conflict(ErrorCodes.Conflict, "The owner cannot be banned; ownership must be transferred first."));
            if (MemberRules.MayActOn(access, target) is { } outranked) return outranked;
        }
        var duration = request.DurationSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : (TimeSpan?)null;
        var member = await memberships.BanAsync(access.Caller, id, hubUserId, reason!, duration, ct);
        await tx.CommitAsync(ct);
        return TypedResults.Ok(Envelope.Of(member));
    }

    private static async Task<Results<Ok<Envelope<MemberResponse>>, ProblemHttpResult>> Unban(
        long id, long hubUserId, Access access, CommunityDb db, Memberships memberships, TimeProvider clock,
        CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (await access.ConfirmAsync(ct) is { } refused) return refused;
        var row = await db.FindMemberAsync(id, hubUserId, ct);
        if (row is null) return Problems.MemberNotFound(id, hubUserId);
        if (MemberRules.MayActOn(access, row.Member) is { } outranked) return outranked;
        var member = await memberships.UnbanAsync(access.Caller, id, hubUserId, ct)
            ?? MemberResponse.From(row.Member, row.Username, clock.UtcNow()); // no ban held: nothing to lift
        await tx.CommitAsync(ct);
        return TypedResults.Ok(Envelope.Of(member));
    }
}
