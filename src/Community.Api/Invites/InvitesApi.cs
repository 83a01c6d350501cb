using Community.Api.ApiDescription;
using Community.Api.Auth;
using Community.Api.Communities;
using Community.Api.Data;
using Community.Api.Events;
using Community.Api.Http;
using Community.Api.Members;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Community.Api.Invites;

/// <summary>
/// Invites: moderators create, list and revoke a community's codes; any signed-in user holding a code previews the
/// community and accepts (joins it, whatever its <c>join_mode</c>).
/// </summary>
public static class InvitesApi
{
    private static readonly CursorKey Group = new(0, 1);

    public static RouteGroupBuilder MapInvitesApi(this IEndpointRouteBuilder app)
    {
        var community = app.MapGroup("/api/v1/communities/{id:long}/invites").WithTags("Invites");
        community.MapPost("/", Create).RequiresInCommunity(Permissions.ManageInvites)
            .WithName("createInvite").WithSummary("Create an invite")
            .WithDescription("Moderators and above (services: `members:write`) create a code that admits its holder whatever the " +
                "community's `join_mode`. `max_uses` (1–10,000) omitted: unlimited; `expires_in_seconds` (60–2,592,000) omitted: never " +
                "expires. The code is 12 random letters and digits.")
            .WithProblems(ErrorCodes.ValidationFailed, ErrorCodes.CommunityInactive)
            .Emits(EventTypes.InviteCreated)
            .WithRequestExample(new CreateInviteRequest(MaxUses: 25, ExpiresInSeconds: 7 * 24 * 3600));
        community.MapGet("/", List).RequiresInCommunity(Permissions.ManageInvites)
            .WithName("listInvites").WithSummary("List a community's invites")
            .WithDescription("Moderators and above (services: `members:write`). Invites that still admit someone come first, then " +
                "revoked, expired and used-up ones; newest first within each, with `uses`. Keyset-paged with `limit` and `cursor`.")
            .WithProblems(ErrorCodes.ValidationFailed, ErrorCodes.InvalidCursor);
        community.MapDelete("/{code}", Revoke).RequiresInCommunity(Permissions.ManageInvites)
            .WithName("revokeInvite").WithSummary("Revoke an invite")
            .WithDescription("Admins and above (services: `members:write`) revoke any invite, a moderator only the ones it created. " +
                "Revoking again answers the invite unchanged.")
            .WithProblems(ErrorCodes.InviteNotFound, ErrorCodes.InsufficientRole)
            .Emits(EventTypes.InviteRevoked);

        var holder = app.MapGroup("/api/v1/invites/{code}").WithTags("Invites").RequireRateLimiting(RateLimits.Invites)
            .Requires(Permissions.UseInvite).AddEndpointFilter<CountFailedInviteLookups>();
        holder.MapGet("/", Preview)
            .WithName("previewInvite").WithSummary("Preview an invite")
            .WithDescription("Any signed-in user holding the code sees the community it admits to (`id`, `name`, `display_name`, " +
                "`avatar_url`, `member_count`) and when the invite expires. Unknown, revoked, expired and used-up codes all answer " +
                "the same 404 `invite_not_found`. Rate-limited per caller (`RateLimiting:InvitePermitLimit`).")
            .WithProblems(ErrorCodes.InviteNotFound, ErrorCodes.CommunityInactive);
        holder.MapPost("/accept", Accept)
            .WithName("acceptInvite").WithSummary("Accept an invite")
            .WithDescription("Joins the calling user to the invite's community whatever its `join_mode`: 201 when it made the user a " +
                "member (one use consumed), 200 when the user already was (no use consumed). 403 `member_banned` while a ban holds, " +
                "404 `invite_not_found` as for the preview, 409 `community_inactive`. Concurrent accepts never exceed `max_uses`. " +
                "`member.joined` carries `invite_code`. Rate-limited per caller (`RateLimiting:InvitePermitLimit`).")
            .WithProblems(ErrorCodes.InviteNotFound, ErrorCodes.CommunityInactive, ErrorCodes.MemberBanned, ErrorCodes.UserNotFound)
            .Emits(EventTypes.MemberJoined)
            .WithResponseNote(StatusCodes.Status201Created, "The user joined; one use of the invite was consumed.")
            .WithResponseNote(StatusCodes.Status200OK, "The user already was an active member; no use was consumed.");
        return community;
    }

    private static async Task<Results<Created<Envelope<InviteResponse>>, ProblemHttpResult>> Create(long id, CreateInviteRequest? request,
        Access access, CommunityDb db, CommunityInvites invites, CancellationToken ct)
    {
        request ??= new CreateInviteRequest();
        var errors = new FieldErrors();
        if (request.MaxUses is < 1 or > CreateInviteRequest.MaxUsesLimit)
            errors.Add("max_uses", $"Must be between 1 and {CreateInviteRequest.MaxUsesLimit}; leave it out for unlimited uses.");
        if (request.ExpiresInSeconds is < CreateInviteRequest.MinLifetimeSeconds or > CreateInviteRequest.MaxLifetimeSeconds)
            errors.Add("expires_in_seconds",
                $"Must be between {CreateInviteRequest.MinLifetimeSeconds} and {CreateInviteRequest.MaxLifetimeSeconds} (30 days); leave it out for an invite that never expires.");
        if (errors.HasProblem(out var invalid)) return invalid;
        if (!access.Community!.IsActive) return CommunityProblems.Inactive(id);

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (await access.ConfirmAsync(ct) is { } refused) return refused;
        if (!access.Community!.IsActive) return CommunityProblems.Inactive(id);
        var created = await invites.CreateAsync(access.Caller, id, request.MaxUses, request.ExpiresInSeconds, ct);
        await tx.CommitAsync(ct);
        return TypedResults.Created($"/api/v1/invites/{created.Code}", Envelope.Of(created));
    }

    private static async Task<Results<Ok<Envelope<IReadOnlyList<InviteResponse>>>, ProblemHttpResult>> List(long id,
        CommunityInvites invites, Cursors cursors, CancellationToken ct, int? limit = null, string? cursor = null)
    {
        var errors = new FieldErrors();
        var pageSize = Paging.ValidLimit(limit, errors);
        var list = $"invites/{id}";
        var after = cursors.Decode(cursor, list, errors, Group, CursorKey.Id);
        if (errors.HasProblem(out var invalid)) return invalid;
        var page = await invites.PageAsync(id, pageSize!.Value, after!, (group, lastId) => cursors.Encode(list, group, lastId), ct);
        return TypedResults.Ok(Envelope.Page(page));
    }

    private static async Task<Results<Ok<Envelope<InviteResponse>>, ProblemHttpResult>> Revoke(long id, string code,
        Access access, CommunityDb db, CommunityInvites invites, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (await access.ConfirmAsync(ct) is { } refused) return refused;
        if (await invites.FindAsync(id, code, ct) is not { } invite)
            return Problems.NotFound(ErrorCodes.InviteNotFound, $"Community {id} has no invite with this code.");
        if (CommunityInvites.MayRevoke(access, invite) is { } outranked) return outranked;
        var revoked = await invites.RevokeAsync(access.Caller, invite, ct);
        await tx.CommitAsync(ct);
        return TypedResults.Ok(Envelope.Of(revoked));
    }

    private static async Task<Results<Ok<Envelope<InvitePreviewResponse>>, ProblemHttpResult>> Preview(string code,
        InviteAcceptance acceptance, CancellationToken ct)
    {
        var result = await acceptance.PreviewAsync(code, ct);
        return result.Outcome switch
        {
            PreviewOutcome.Found => TypedResults.Ok(Envelope.Of(result.Preview!)),
            PreviewOutcome.CommunityInactive => CommunityProblems.Inactive(result.CommunityId),
            _ => InviteNotFound(),
        };
    }

    private static async Task<Results<Created<Envelope<MemberResponse>>, Ok<Envelope<MemberResponse>>, ProblemHttpResult>> Accept(string code,
        Access access, InviteAcceptance acceptance, CancellationToken ct)
    {
        var caller = access.Caller;
        var result = await acceptance.AcceptAsync(caller, code, ct);
        return result.Outcome switch
        {
            AcceptOutcome.Joined => TypedResults.Created($"/api/v1/communities/{result.CommunityId}/members/{caller.HubUserId}", Envelope.Of(result.Member!)),
            AcceptOutcome.AlreadyMember => TypedResults.Ok(Envelope.Of(result.Member!)),
            AcceptOutcome.Banned => MemberProblems.Banned(result.CommunityId, caller.HubUserId!.Value),
            AcceptOutcome.CommunityInactive => CommunityProblems.Inactive(result.CommunityId),
            AcceptOutcome.UserNotFound => Problems.UserNotFound(caller.HubUserId!.Value),
            _ => InviteNotFound(),
        };
    }

    /// <summary>One answer, word for word, for unknown, revoked, expired and used-up codes: a guesser learns nothing from it.</summary>
    internal static ProblemHttpResult InviteNotFound() =>
        Problems.NotFound(ErrorCodes.InviteNotFound, "No invite with this code admits anyone: it is unknown, revoked, expired or used up.");
}
