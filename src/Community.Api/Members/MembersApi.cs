using Community.Api.ApiDescription;
using Community.Api.JoinRequests;
using Community.Api.Auth;
using Community.Api.Communities;
using Community.Api.Data;
using Community.Api.Events;
using Community.Api.Hosting;
using Community.Api.Http;
using Community.Api.Identities;
using Community.Api.Platforms;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Community.Api.Reputation;

namespace Community.Api.Members;

/// <summary>A community's members: list, read, add, remove and roles. Moderation and reputation are the other parts of this class.</summary>
public static partial class MembersApi
{
    public static RouteGroupBuilder MapMembersApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/communities/{id:long}/members").WithTags("Members");
        group.MapGet("/", List).RequiresInCommunity(Permissions.ReadMembers, handlerUsesCommunity: false)
            .WithName("listMembers").WithSummary("List members")
            .WithDescription("""
                Keyset-paged: `sort=joined_at` (default: oldest first) or `sort=reputation` (highest first); a deep page costs
                what the first does. `status` defaults to `active` (`all` lists every membership), `role` keeps one role, `q`
                matches usernames.
                """)
            .WithProblems(ErrorCodes.ValidationFailed, ErrorCodes.InvalidCursor);
        // Joining oneself (any signed-in user, subject to join_mode) needs less than adding someone else.
        group.MapPost("/", Add).RequiresInCommunity([Permissions.SelfMembership, Permissions.ManageMembers], (caller, context) =>
                IsSelfJoin(caller, context.Argument<AddMemberRequest>()) ? Permissions.SelfMembership : Permissions.ManageMembers)
            .WithName("addMember").WithSummary("Add a member, or join")
            .WithDescription("""
                Admins and services add a member by `hub_user_id` or by platform account (`platform` + `platform_user_id`;
                services with `identities:write` resolve or create it, others only find an existing one), with a `role`
                below their own (default `member`). A user naming nobody else joins itself as a member, as the community's
                `join_mode` allows: `open` joins, `approval` files a join request (202), `invite` refuses (403: accept an
                invite instead). A left or removed member is reactivated with its reputation kept; a ban refuses (403
                `member_banned`).
                """)
            .WithProblems(ErrorCodes.ValidationFailed, ErrorCodes.UnsupportedPlatform, ErrorCodes.Forbidden, ErrorCodes.InsufficientRole,
                ErrorCodes.MemberBanned, ErrorCodes.IdentityNotFound, ErrorCodes.UserNotFound, ErrorCodes.CommunityInactive)
            .Emits(EventTypes.MemberJoined, EventTypes.JoinRequested)
            .WithResponseNote(StatusCodes.Status201Created, "The call made the user a member (new, or a left or removed member reactivated).")
            .WithResponseNote(StatusCodes.Status200OK, "The user already was an active member; nothing changed.")
            .WithResponseNote(StatusCodes.Status202Accepted, "The community approves joins: a join request was filed for an admin to decide (`Location` names it).")
            .WithRequestExample(new AddMemberRequest(Platform: "twitch", PlatformUserId: "2002", PlatformUsername: "teal", Role: Roles.Moderator));
        group.MapGet("/{hubUserId:long}", Get).RequiresInCommunity(Permissions.ReadMembers, handlerUsesCommunity: false)
            .WithName("getMember").WithSummary("Read a member")
            .WithDescription("One membership, in any status, with its role, reputation, reputation tier and any ban.")
            .WithProblems(ErrorCodes.MemberNotFound);
        // Leaving is one's own choice; removing someone else is moderation.
        group.MapDelete("/{hubUserId:long}", Remove).RequiresInCommunity([Permissions.SelfMembership, Permissions.Moderate], (caller, context) =>
                !caller.IsService && caller.HubUserId == context.RouteLong("hubUserId") ? Permissions.SelfMembership : Permissions.Moderate)
            .WithName("removeMember").WithSummary("Leave, or remove a member")
            .WithDescription("""
                A user naming itself leaves (status `left`); anyone else is removed (status `removed`, a kick) by a moderator
                or higher ranked above the member, or a service with `moderation:write`. The owner can do neither (409
                `owner_cannot_leave`: transfer ownership first). `reason` (up to 500 characters, no control characters) is
                recorded with a removal.
                """)
            .WithProblems(ErrorCodes.ValidationFailed, ErrorCodes.MemberNotFound, ErrorCodes.OwnerCannotLeave, ErrorCodes.InsufficientRole)
            .Emits(EventTypes.MemberLeft, EventTypes.MemberRemoved);
        group.MapPut("/{hubUserId:long}/role", ChangeRole).RequiresInCommunity(Permissions.ManageMembers)
            .WithName("changeMemberRole").WithSummary("Change a member's role")
            .WithDescription("""
                Sets `role` to `admin`, `moderator` or `member`. The actor must rank above the member and may grant only
                roles below its own; `owner` moves only by transfer-ownership. The member must be active.
                """)
            .WithProblems(ErrorCodes.ValidationFailed, ErrorCodes.MemberNotFound, ErrorCodes.InsufficientRole, ErrorCodes.Conflict)
            .Emits(EventTypes.MemberRoleChanged)
            .WithRequestExample(new ChangeRoleRequest(Roles.Moderator));
        group.MapPost("/{hubUserId:long}/ban", Ban).RequiresInCommunity(Permissions.Moderate)
            .WithName("banMember").WithSummary("Ban or time out a member")
            .WithDescription("""
                Bans the hub user, so every linked platform account (even one linked later) is covered: without
                `duration_seconds` the membership ends (status `banned`); with one (1 s to 10 years) it is a timeout that
                keeps the status and lifts itself. A user who never was a member can be banned too. The actor must rank
                above the member; the owner cannot be banned. The event carries the community's connected platforms, for
                connectors to sync.
                """)
            .WithProblems(ErrorCodes.ValidationFailed, ErrorCodes.UserNotFound, ErrorCodes.InsufficientRole, ErrorCodes.Conflict)
            .Emits(EventTypes.MemberBanned)
            .WithRequestExample(new BanRequest("Spamming links", 600));
        group.MapDelete("/{hubUserId:long}/ban", Unban).RequiresInCommunity(Permissions.Moderate)
            .WithName("unbanMember").WithSummary("Lift a ban or timeout")
            .WithDescription("Lifts the ban or timeout; a banned membership becomes `removed`, so the user may join again. Lifting a ban that does not hold answers the member unchanged.")
            .WithProblems(ErrorCodes.MemberNotFound, ErrorCodes.InsufficientRole)
            .Emits(EventTypes.MemberUnbanned);
        return group;
    }

    private static readonly string[] Sorts = ["joined_at", "reputation"];
    private static readonly CursorKey ReputationKey = new(ReputationScale.Min, ReputationScale.Max);

    /// <summary>
    /// Keyset-paged members: by <c>joined_at</c> (oldest first, ties by hub user id ascending) or <c>reputation</c>
    /// (highest first, ties by hub user id descending). Each page seeks through an index on (community, sort key, user), so page 10,000 costs what page 1 does.
    /// <c>status</c> defaults to <c>active</c>; <c>status=all</c> lists every membership.
    /// </summary>
    private static async Task<Results<HotOk<Envelope<IReadOnlyList<MemberResponse>>>, ProblemHttpResult>> List(
        long id, Access access, ReadOnlyDb reads, Cursors cursors, TimeProvider clock, CancellationToken ct,
        string? role = null, string? status = null, string? q = null, string? sort = null, int? limit = null, string? cursor = null)
    {
        var errors = new FieldErrors();
        errors.OneOf("role", role, Roles.All);
        errors.OneOf("status", status, [.. MemberStatus.All, "all"]);
        errors.OneOf("sort", sort, Sorts);
        var search = errors.Text("q", q, 100);
        var pageSize = Paging.ValidLimit(limit, errors);
        var byReputation = sort == "reputation";
        var list = $"members-{(byReputation ? "reputation" : "joined")}/{id}";
        var after = cursors.Decode(cursor, list, errors, byReputation ? ReputationKey : CursorKey.Ticks, CursorKey.Id);
        if (errors.HasProblem(out var invalid)) return invalid;

        var page = status is (null or MemberStatus.Active) && role is null && string.IsNullOrEmpty(search)
            ? await DefaultMemberPages.ReadAsync(reads, id, byReputation, after!, pageSize!.Value + 1, ct)
            : await ComposedPageAsync(reads, id, status, role, search, byReputation, after, pageSize!.Value, ct);
        var now = clock.UtcNow();
        var result = Paging.ToPage(page, pageSize.Value,
            r => byReputation
                ? cursors.Encode(list, r.Member.Reputation, r.Member.HubUserId)
                : cursors.Encode(list, r.Member.JoinedAt.Ticks, r.Member.HubUserId),
            r => MemberResponse.From(r.Member, r.Username, now));
        return HotOk.Of(Envelope.Page(result));
    }

    /// <summary>Any other page (a status, role or name filter): composed for the request.</summary>
    private static Task<List<MemberQueries.MemberRow>> ComposedPageAsync(ReadOnlyDb reads, long id, string? status, string? role, string? search,
        bool byReputation, long[]? after, int pageSize, CancellationToken ct)
    {
        var rows = reads.MembersWithNames().Where(r => r.Member.CommunityId == id);
        if (status != "all") rows = rows.Where(r => r.Member.Status == (status ?? MemberStatus.Active));
        if (role is not null) rows = rows.Where(r => r.Member.Role == role);
        if (!string.IsNullOrEmpty(search))
        {
            var pattern = CommunityQueries.ContainsPattern(search.ToLowerInvariant());
            rows = rows.Where(r => EF.Functions.Like(r.Username.ToLower(), pattern, "\\"));
        }
        // A page after a cursor must cost what the first page does, at any depth: an index seek on (community, key, user).
        // PostgreSQL seeks on a row comparison, (key, user) > (cursor's key, cursor's user), and plans it in a fraction of
        // the time the two-part form below takes. SQLite (no row values in EF) reads the rest of the cursor's tie group
        // plus what sorts strictly after it, each by its own seek; one OR'd condition instead would make it walk the whole
        // tie group (every member still at the default 600, say) to reach a deep page.
        var take = pageSize + 1;
        if (byReputation)
        {
            static IQueryable<MemberQueries.MemberRow> Sorted(IQueryable<MemberQueries.MemberRow> q) =>
                q.OrderByDescending(r => r.Member.Reputation).ThenByDescending(r => r.Member.HubUserId);
            if (after is [var lastReputation, var userId])
            {
                var reputation = (int)lastReputation;
                rows = reads.IsPostgres
                    ? rows.Where(r => EF.Functions.LessThan(ValueTuple.Create(r.Member.Reputation, r.Member.HubUserId), ValueTuple.Create(reputation, userId)))
                    : Sorted(rows.Where(r => r.Member.Reputation == reputation && r.Member.HubUserId < userId)).Take(take)
                        .Concat(Sorted(rows.Where(r => r.Member.Reputation < reputation)).Take(take));
            }
            rows = Sorted(rows);
        }
        else
        {
            static IQueryable<MemberQueries.MemberRow> Sorted(IQueryable<MemberQueries.MemberRow> q) =>
                q.OrderBy(r => r.Member.JoinedAt).ThenBy(r => r.Member.HubUserId);
            if (after is [var ticks, var userId])
            {
                var joined = new DateTime(ticks, DateTimeKind.Utc);
                rows = reads.IsPostgres
                    ? rows.Where(r => EF.Functions.GreaterThan(ValueTuple.Create(r.Member.JoinedAt, r.Member.HubUserId), ValueTuple.Create(joined, userId)))
                    : Sorted(rows.Where(r => r.Member.JoinedAt == joined && r.Member.HubUserId > userId)).Take(take)
                        .Concat(Sorted(rows.Where(r => r.Member.JoinedAt > joined)).Take(take));
            }
            rows = Sorted(rows);
        }

        return rows.TakePage(pageSize).ToListAsync(ct);
    }

    private static async Task<Results<Ok<Envelope<MemberResponse>>, ProblemHttpResult>> Get(
        long id, long hubUserId, Access access, CommunityDb db, TimeProvider clock, CancellationToken ct)
    {
        var row = await db.FindMemberAsync(id, hubUserId, ct);
        return row is null
            ? Problems.MemberNotFound(id, hubUserId)
            : TypedResults.Ok(Envelope.Of(MemberResponse.From(row.Member, row.Username, clock.UtcNow())));
    }

    /// <summary>
    /// Adds a member (admins and services), or joins the caller itself (any signed-in user, subject to the
    /// community's <c>join_mode</c>). 201 when the call made the user a member (new or reactivated, reputation
    /// kept), 200 when already active, 403 <c>member_banned</c> while a ban holds.
    /// </summary>
    private static async Task<Results<Created<Envelope<MemberResponse>>, Ok<Envelope<MemberResponse>>, Accepted<Envelope<JoinRequestResponse>>, ProblemHttpResult>> Add(
        long id, AddMemberRequest request, Access access, CommunityDb db, IdentityResolver resolver,
        Memberships memberships, SelfJoinGate joinGate, CancellationToken ct)
    {
        var errors = new FieldErrors();
        if (request.Role is not null && (!Roles.IsValid(request.Role) || request.Role == Roles.Owner))
            errors.Add("role", "Must be admin, moderator or member; the owner role moves only through transfer-ownership.");
        if (request.HubUserId is not null && (request.Platform is not null || request.PlatformUserId is not null))
            errors.Add("hub_user_id", "Give hub_user_id or platform + platform_user_id, not both.");
        if (request.HubUserId is <= 0) errors.Add("hub_user_id", "Must be a positive id.");
        if (request.Platform is not null && !SupportedPlatforms.IsSupported(request.Platform)) return PlatformProblems.Unsupported(request.Platform);
        if (request.HubUserId is null && request.Platform is null && request.PlatformUserId is not null) errors.Add("platform", "Is required with platform_user_id.");
        if (request.Platform is not null) errors.Text("platform_user_id", request.PlatformUserId, 255, required: true);
        errors.Name("platform_username", request.PlatformUsername, 255);

        var self = IsSelfJoin(access.Caller, request);
        if (request.HubUserId is null && request.Platform is null && !self)
            errors.Add("hub_user_id", "Name the member: hub_user_id, or platform + platform_user_id.");
        if (errors.HasProblem(out var invalid)) return invalid;

        if (!access.Community!.IsActive) return CommunityProblems.Inactive(id);
        var role = request.Role ?? Roles.Member;
        if (self && role != Roles.Member) return Problems.Validation("role", "You join as a member; an admin can promote you afterwards.");
        if (!self && MemberRules.MayGrant(access, role) is { } cannotGrant) return cannotGrant;

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // A member named by platform account: callers who may write identities resolve it as identity resolve does;
        // anyone else only finds an existing account and changes nothing about it (a user never renames another user).
        // Inside the transaction, so an add refused below leaves no account behind.
        long hubUserId;
        if (self) hubUserId = access.Caller.HubUserId!.Value;
        else if (request.HubUserId is { } given) hubUserId = given;
        else if (await resolver.OwnerForAsync(access.Caller, access.MayWriteIdentities, request.Platform!, request.PlatformUserId!.Trim(),
                     request.PlatformUsername?.Trim(), ct) is { } owner) hubUserId = owner;
        else return IdentityProblems.NotFound(request.Platform!, request.PlatformUserId!.Trim());
        // An account's owner may be merged into another user meanwhile: the join follows it. An id given outright must be active.
        if (await db.LockActiveUserAsync(hubUserId, followMerges: request.Platform is not null, ct) is not { } target)
            return Problems.UserNotFound(hubUserId);
        if (await access.ConfirmAsync(ct) is { } refused) return refused;
        var community = access.Community!;
        if (!community.IsActive) return CommunityProblems.Inactive(id);
        if (self)
        {
            var mode = await joinGate.DecideAsync(access.Caller, community, ct);
            if (mode.Refused)
                return Problems.Forbidden(ErrorCodes.Forbidden, "This community is invitation only: accept an invite with POST /api/v1/invites/{code}/accept, or ask an admin to add you.");
            if (mode.Request is { } filed)
            {
                await tx.CommitAsync(ct); // a filed join request is kept
                return TypedResults.Accepted($"/api/v1/communities/{id}/join-requests/{filed.Id}", Envelope.Of(filed));
            }
        }
        else if (MemberRules.MayGrant(access, role) is { } noLongerGrantable) return noLongerGrantable;

        // The welcome message names the user as the platform reports it only when the caller may say so.
        var displayName = access.MayWriteIdentities ? request.PlatformUsername : null;
        var (outcome, member) = await memberships.JoinAsync(access.Caller, community, target, role, request.Platform, displayName, ct);
        if (outcome == JoinOutcome.Banned) return MemberProblems.Banned(id, target);
        await tx.CommitAsync(ct);
        return outcome == JoinOutcome.Joined
            ? TypedResults.Created($"/api/v1/communities/{id}/members/{target}", Envelope.Of(member))
            : TypedResults.Ok(Envelope.Of(member));
    }

    /// <summary>Leave (the member itself) or remove (a moderator or higher, ranked above the member). The owner can do neither.</summary>
    private static async Task<Results<Ok<Envelope<MemberResponse>>, ProblemHttpResult>> Remove(
        long id, long hubUserId, Access access, CommunityDb db, Memberships memberships, CancellationToken ct,
        string? reason = null)
    {
        var self = access.Permission == Permissions.SelfMembership;
        var errors = new FieldErrors();
        // The reason goes into member.left / member.removed as written: the same text rules as a ban's reason.
        reason = errors.Text("reason", reason, 500);
        if (errors.HasProblem(out var invalid)) return invalid;

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (await access.ConfirmAsync(ct) is { } refused) return refused;
        var target = await db.Members.AsNoTracking().FirstOrDefaultAsync(m => m.CommunityId == id && m.HubUserId == hubUserId, ct);
        if (target is null) return Problems.MemberNotFound(id, hubUserId);
        if (target.Role == Roles.Owner) return MemberRules.OnOwner(access, MemberProblems.OwnerCannotLeave(id));
        if (!self && MemberRules.MayActOn(access, target) is { } outranked) return outranked;

        var (outcome, member) = await memberships.EndAsync(access.Caller, id, hubUserId, self ? MemberStatus.Left : MemberStatus.Removed, reason, ct);
        await tx.CommitAsync(ct);
        return outcome == EndOutcome.NotFound ? Problems.MemberNotFound(id, hubUserId) : TypedResults.Ok(Envelope.Of(member!));
    }

    private static async Task<Results<Ok<Envelope<MemberResponse>>, ProblemHttpResult>> ChangeRole(
        long id, long hubUserId, ChangeRoleRequest request, Access access, CommunityDb db, Events.Journal journal,
        TimeProvider clock, CancellationToken ct)
    {
        if (!Roles.IsValid(request.Role)) return Problems.Validation("role", "Must be admin, moderator or member.");
        if (request.Role == Roles.Owner)
            return Problems.Validation("role", "The owner role moves only through POST /api/v1/communities/{id}/transfer-ownership.");

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (await access.ConfirmAsync(ct) is { } refused) return refused;
        var row = await db.FindMemberAsync(id, hubUserId, ct);
        if (row is null) return Problems.MemberNotFound(id, hubUserId);
        var target = row.Member;
        if (target.Role == Roles.Owner)
            return MemberRules.OnOwner(access, Problems.Conflict(ErrorCodes.Conflict, "The owner's role changes only by transferring ownership."));
        if (target.Status != MemberStatus.Active)
            return Problems.Conflict(ErrorCodes.Conflict, $"Hub user {hubUserId} is not an active member (status {target.Status}).");
        if ((MemberRules.MayActOn(access, target) ?? MemberRules.MayGrant(access, request.Role!)) is { } outranked) return outranked;

        var now = clock.UtcNow();
        var before = MemberResponse.From(target, row.Username, now);
        if (target.Role == request.Role) return TypedResults.Ok(Envelope.Of(before));
        await db.Members.Where(m => m.CommunityId == id && m.HubUserId == hubUserId)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.Role, request.Role!).SetProperty(m => m.UpdatedAt, now), ct);
        var after = before with { Role = request.Role!, UpdatedAt = now };
        journal.Record(access.Caller, Events.EventTypes.MemberRoleChanged, id, "member", hubUserId.ToString(), before, after,
            new { member = after, old_role = target.Role, new_role = request.Role });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return TypedResults.Ok(Envelope.Of(after));
    }

    /// <summary>A user joins itself when it names neither a platform account nor another hub user.</summary>
    private static bool IsSelfJoin(Caller caller, AddMemberRequest request) =>
        !caller.IsService && request.Platform is null && (request.HubUserId is null || request.HubUserId == caller.HubUserId);
}
