using Community.Api.ApiDescription;
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
using Community.Api.Reputation;

namespace Community.Api.Identities;

/// <summary>Cross-platform identity: hub users and the platform accounts that resolve to them. Services only, except users reading themselves.</summary>
public static partial class IdentitiesApi
{
    public static void MapIdentitiesApi(this IEndpointRouteBuilder app)
    {
        var identities = app.MapGroup("/api/v1/identities").WithTags("Identities");
        identities.MapPost("/resolve", Resolve).Requires(Permissions.WriteIdentities)
            .WithName("resolveIdentity").WithSummary("Resolve a platform account to its hub user")
            .WithDescription("""
                Finds the hub user of a platform account, creating both when the account is new; keyed by
                `platform_user_id`, never by name. Race-safe: concurrent calls give one hub user. A changed
                `platform_username` or `avatar_url` is stored.
                """)
            .WithProblems(ErrorCodes.ValidationFailed, ErrorCodes.UnsupportedPlatform)
            .Emits(EventTypes.UserCreated)
            .WithRequestExample(new ResolveIdentityRequest("discord", "80351110224678912", "Nelly"));
        identities.MapGet("/{platform}/{platformUserId}", GetByPlatform).Requires(Permissions.ReadIdentities)
            .WithName("getIdentity").WithSummary("Find the hub user of a platform account")
            .WithDescription("The hub user that owns this platform account, with all its linked accounts; nothing is created.")
            .WithProblems(ErrorCodes.UnsupportedPlatform, ErrorCodes.IdentityNotFound);

        var users = app.MapGroup("/api/v1/users").WithTags("Identities");
        users.MapPost("/", CreateUser).Requires(Permissions.WriteIdentities)
            .WithName("createUser").WithSummary("Create a hub user")
            .WithDescription("A hub user with no platform account yet; link accounts to it afterwards.")
            .WithProblems(ErrorCodes.ValidationFailed)
            .Emits(EventTypes.UserCreated)
            .WithRequestExample(new CreateUserRequest("mallard", "mallard@example.org"));
        users.MapGet("/{id:long}", GetUser).Requires(SelfOrIdentityReader)
            .WithName("getUser").WithSummary("Read a hub user")
            .WithDescription("The hub user and its linked platform accounts. A user may read itself.")
            .WithProblems(ErrorCodes.UserNotFound);
        users.MapGet("/{id:long}/communities", UserCommunities).Requires(SelfOrIdentityReader)
            .WithName("listUserCommunities").WithSummary("A hub user's communities")
            .WithDescription("The user's active memberships with role, reputation and reputation tier. A user may read its own.")
            .WithProblems(ErrorCodes.UserNotFound);
        users.MapPost("/{id:long}/identities", Link).Requires(Permissions.WriteIdentities)
            .WithName("linkIdentity").WithSummary("Link a platform account")
            .WithDescription("""
                Links the account to this hub user. An account owned by another hub user is 409
                `identity_linked_elsewhere`, unless `merge: true`: then that user is merged into this one in one transaction
                (memberships move; where both are members the higher role and reputation win; bans carry over).
                """)
            .WithProblems(ErrorCodes.ValidationFailed, ErrorCodes.UnsupportedPlatform, ErrorCodes.UserNotFound,
                ErrorCodes.IdentityLinkedElsewhere, ErrorCodes.Conflict)
            .Emits(EventTypes.IdentityLinked, EventTypes.UserMerged)
            .WithResponseNote(StatusCodes.Status201Created, "The account was linked now.")
            .WithResponseNote(StatusCodes.Status200OK, "The account already was this user's, or its user was merged into this one.")
            .WithRequestExample(new LinkIdentityRequest("twitch", "1001", "mallard"));
        users.MapDelete("/{id:long}/identities/{platform}/{platformUserId}", Unlink).Requires(Permissions.WriteIdentities)
            .WithName("unlinkIdentity").WithSummary("Unlink a platform account")
            .WithDescription("Removes the account from this hub user; when it was the primary one, the oldest remaining account becomes primary.")
            .WithProblems(ErrorCodes.UnsupportedPlatform, ErrorCodes.IdentityNotFound)
            .Emits(EventTypes.IdentityUnlinked);
    }

    /// <summary>Finds or creates the hub user of a platform account; race-safe, keyed by the platform's user id.</summary>
    private static async Task<Results<Ok<Envelope<ResolveIdentityResponse>>, ProblemHttpResult>> Resolve(
        ResolveIdentityRequest request, Access access, CommunityDb db, IdentityResolver resolver, CancellationToken ct)
    {
        var errors = new FieldErrors();
        if (errors.Account(request.Platform, request.PlatformUserId) is { } unsupported) return unsupported;
        var username = errors.Name("platform_username", request.PlatformUsername, 255);
        var avatar = errors.Url("avatar_url", request.AvatarUrl);
        if (errors.HasProblem(out var invalid)) return invalid;

        var resolved = await resolver.ResolveAsync(access.Caller, request.Platform!, request.PlatformUserId!.Trim(), username, avatar, ct);
        var user = (await db.RepresentUserAsync(resolved.HubUserId, ct))!;
        return TypedResults.Ok(Envelope.Of(new ResolveIdentityResponse(resolved.HubUserId, resolved.Created, user)));
    }

    private static async Task<Results<Ok<Envelope<HubUserResponse>>, ProblemHttpResult>> GetByPlatform(
        string platform, string platformUserId, Access access, CommunityDb db, CancellationToken ct)
    {
        if (!SupportedPlatforms.IsSupported(platform)) return PlatformProblems.Unsupported(platform);
        var hubUserId = await db.UserIdentities.Where(i => i.Platform == platform && i.PlatformUserId == platformUserId)
            .Select(i => (long?)i.HubUserId).FirstOrDefaultAsync(ct);
        return hubUserId is null
            ? IdentityProblems.NotFound(platform, platformUserId)
            : TypedResults.Ok(Envelope.Of((await db.RepresentUserAsync(hubUserId.Value, ct))!));
    }

    private static async Task<Results<Created<Envelope<HubUserResponse>>, ProblemHttpResult>> CreateUser(
        CreateUserRequest request, Access access, CommunityDb db, Journal journal, TimeProvider clock, CancellationToken ct)
    {
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
        journal.Record(access.Caller, EventTypes.UserCreated, null, "hub_user", user.Id.ToString(), null, response, new { user = response });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return TypedResults.Created($"/api/v1/users/{user.Id}", Envelope.Of(response));
    }

    private static async Task<Results<Ok<Envelope<HubUserResponse>>, ProblemHttpResult>> GetUser(
        long id, Access access, CommunityDb db, CancellationToken ct)
    {
        var user = await db.RepresentUserAsync(id, ct);
        return user is null ? Problems.UserNotFound(id) : TypedResults.Ok(Envelope.Of(user));
    }

    /// <summary>The user's active memberships with their role; for the user itself, super admins and services.</summary>
    private static async Task<Results<Ok<Envelope<IReadOnlyList<UserCommunityResponse>>>, ProblemHttpResult>> UserCommunities(
        long id, Access access, CommunityDb db, CancellationToken ct)
    {
        if (!await db.HubUsers.AnyAsync(u => u.Id == id, ct)) return Problems.UserNotFound(id);
        var rows = await db.Members.AsNoTracking().Where(m => m.HubUserId == id && m.Status == MemberStatus.Active)
            .Join(db.Communities, m => m.CommunityId, c => c.Id, (m, c) => new { m, c })
            .OrderBy(x => x.c.Id)
            .Select(x => new UserCommunityResponse(x.c.Id, x.c.Name, x.c.DisplayName, x.c.IsActive, x.m.Role, x.m.Reputation, "", x.m.JoinedAt))
            .ToListAsync(ct);
        return TypedResults.Ok(Envelope.Of<IReadOnlyList<UserCommunityResponse>>(
            rows.Select(r => r with { ReputationTier = ReputationScale.Tier(r.Reputation) }).ToList()));
    }

    /// <summary>A user reads itself; anyone else needs <c>identities:read</c> (services) or to be a super admin.</summary>
    private static readonly RequiredPermission SelfOrIdentityReader = new()
    {
        Choose = (caller, context, _) => !caller.IsService && caller.HubUserId == PermissionDeclarations.RouteId(context)
            ? Permissions.ReadSelf
            : Permissions.ReadIdentities,
        OneOf = [Permissions.ReadSelf, Permissions.ReadIdentities],
    };

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    private static partial Regex EmailPattern();
}
