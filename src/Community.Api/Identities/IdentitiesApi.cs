using System.Text.RegularExpressions;
using Community.Api.Auth;
using Community.Api.Data;
using Community.Api.Events;
using Community.Api.Hosting;
using Community.Api.Http;
using Community.Api.Lookup;
using Community.Api.Members;
using Community.Api.Platforms;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Community.Api.Identities;

/// <summary>Cross-platform identity: hub users and the platform accounts that resolve to them. Services only, except users reading themselves.</summary>
public static partial class IdentitiesApi
{
    public static void MapIdentitiesApi(this IEndpointRouteBuilder app)
    {
        var identities = app.MapGroup("/api/v1/identities").WithTags("Identities");
        identities.MapPost("/resolve", Resolve);
        identities.MapGet("/{platform}/{platformUserId}", GetByPlatform);

        var users = app.MapGroup("/api/v1/users").WithTags("Identities");
        users.MapPost("/", CreateUser);
        users.MapGet("/{id:long}", GetUser);
        users.MapGet("/{id:long}/communities", UserCommunities);
        users.MapPost("/{id:long}/identities", Link);
        users.MapDelete("/{id:long}/identities/{platform}/{platformUserId}", Unlink);
    }

    /// <summary>Finds or creates the hub user of a platform account; race-safe, keyed by the platform's user id.</summary>
    private static async Task<Results<Ok<Envelope<ResolveIdentityResponse>>, ProblemHttpResult>> Resolve(
        ResolveIdentityRequest request, Caller caller, CommunityAccess access, CommunityDb db, IdentityResolver resolver, CancellationToken ct)
    {
        if (access.Check(caller, Permissions.WriteIdentities).Problem is { } denied) return denied;
        var errors = new FieldErrors();
        if (ValidateAccount(errors, request.Platform, request.PlatformUserId) is { } unsupported) return unsupported;
        var username = errors.Name("platform_username", request.PlatformUsername, 255);
        var avatar = errors.Url("avatar_url", request.AvatarUrl);
        if (errors.HasProblem(out var invalid)) return invalid;

        var resolved = await resolver.ResolveAsync(caller, request.Platform!, request.PlatformUserId!.Trim(), username, avatar, ct);
        var user = (await db.RepresentUserAsync(resolved.HubUserId, ct))!;
        return TypedResults.Ok(Envelope.Of(new ResolveIdentityResponse(resolved.HubUserId, resolved.Created, user)));
    }

    private static async Task<Results<Ok<Envelope<HubUserResponse>>, ProblemHttpResult>> GetByPlatform(
        string platform, string platformUserId, Caller caller, CommunityAccess access, CommunityDb db, CancellationToken ct)
    {
        if (access.Check(caller, Permissions.ReadIdentities).Problem is { } denied) return denied;
        if (!SupportedPlatforms.IsSupported(platform)) return Problems.UnsupportedPlatform(platform);
        var hubUserId = await db.UserIdentities.Where(i => i.Platform == platform && i.PlatformUserId == platformUserId)
            .Select(i => (long?)i.HubUserId).FirstOrDefaultAsync(ct);
        return hubUserId is null
            ? IdentityNotFound(platform, platformUserId)
            : TypedResults.Ok(Envelope.Of((await db.RepresentUserAsync(hubUserId.Value, ct))!));
    }

    private static async Task<Results<Created<Envelope<HubUserResponse>>, ProblemHttpResult>> CreateUser(
        CreateUserRequest request, Caller caller, CommunityAccess access, CommunityDb db, Journal journal, TimeProvider clock, CancellationToken ct)
    {
        if (access.Check(caller, Permissions.WriteIdentities).Problem is { } denied) return denied;
        var errors = new FieldErrors();
        var username = errors.Name("username", request.Username, 100, required: true);
        var email = errors.Text("email", request.Email, 320);
        if (!string.IsNullOrEmpty(email) && !EmailPattern().IsMatch(email)) errors.Add("email", "Must be an email address.");
        var avatar = errors.Url("avatar_url", request.AvatarUrl);
        if (errors.HasProblem(out var invalid)) return invalid;

        var now = clock.UtcNow();
        var user = new HubUser { Username = username!, Email = string.IsNullOrEmpty(email) ? null : email, AvatarUrl = avatar, CreatedAt = now, UpdatedAt = now };
        // The user's id is known only after its insert, which the event needs: one transaction holds both.
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.HubUsers.Add(user);
        await db.SaveChangesAsync(ct);
        var response = (await db.RepresentUserAsync(user.Id, ct))!;
        journal.Record(caller, EventTypes.UserCreated, null, "hub_user", user.Id.ToString(), null, response, new { user = response });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return TypedResults.Created($"/api/v1/users/{user.Id}", Envelope.Of(response));
    }

    private static async Task<Results<Ok<Envelope<HubUserResponse>>, ProblemHttpResult>> GetUser(
        long id, Caller caller, CommunityAccess access, CommunityDb db, CancellationToken ct)
    {
        if (ReadSelfOrService(caller, id, access) is { } denied) return denied;
        var user = await db.RepresentUserAsync(id, ct);
        return user is null ? Problems.UserNotFound(id) : TypedResults.Ok(Envelope.Of(user));
    }

    /// <summary>The user's active memberships with their role; for the user itself, super admins and services.</summary>
    private static async Task<Results<Ok<Envelope<IReadOnlyList<UserCommunityResponse>>>, ProblemHttpResult>> UserCommunities(
        long id, Caller caller, CommunityAccess access, CommunityDb db, CancellationToken ct)
    {
        if (ReadSelfOrService(caller, id, access) is { } denied) return denied;
        if (!await db.HubUsers.AnyAsync(u => u.Id == id, ct)) return Problems.UserNotFound(id);
        var rows = await db.Members.AsNoTracking().Where(m => m.HubUserId == id && m.Status == MemberStatus.Active)
            .Join(db.Communities, m => m.CommunityId, c => c.Id, (m, c) => new { m, c })
            .OrderBy(x => x.c.Id)
            .Select(x => new UserCommunityResponse(x.c.Id, x.c.Name, x.c.DisplayName, x.c.IsActive, x.m.Role, x.m.Reputation, "", x.m.JoinedAt))
            .ToListAsync(ct);
        return TypedResults.Ok(Envelope.Of<IReadOnlyList<UserCommunityResponse>>(
            rows.Select(r => r with { ReputationTier = Reputation.Tier(r.Reputation) }).ToList()));
    }

    /// <summary>A user reads itself; otherwise this needs a service with <c>identities:read</c> (or a super admin).</summary>
    private static ProblemHttpResult? ReadSelfOrService(Caller caller, long id, CommunityAccess access) =>
        !caller.IsService && caller.HubUserId == id ? null : access.Check(caller, Permissions.ReadIdentities).Problem;

    /// <summary>Checks a platform account (<paramref name="prefix"/> names a nested object); an unsupported platform is its own 400.</summary>
    internal static ProblemHttpResult? ValidateAccount(FieldErrors errors, string? platform, string? platformUserId, string prefix = "")
    {
        if (platform is not null && !SupportedPlatforms.IsSupported(platform)) return Problems.UnsupportedPlatform(platform);
        if (platform is null) errors.Add($"{prefix}platform", "Is required.");
        errors.Text($"{prefix}platform_user_id", platformUserId, 255, required: true);
        return null;
    }

    internal static ProblemHttpResult IdentityNotFound(string platform, string platformUserId) =>
        Problems.NotFound(ErrorCodes.IdentityNotFound, $"No hub user has the {platform} account '{platformUserId}'.");

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    private static partial Regex EmailPattern();
}
