using Community.Api.ApiDescription;
using Community.Api.Auth;
using Community.Api.Data;
using Community.Api.Events;
using Community.Api.Hosting;
using Community.Api.Http;
using Community.Api.Identities;
using Community.Api.Lookup;
using Community.Api.Members;
using Community.Api.Platforms;
using Community.Api.Settings;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Community.Api.Reputation;

namespace Community.Api.Communities;

/// <summary>Create, read, list and update communities. Lifecycle and statistics live in the other parts of this class.</summary>
public static partial class CommunitiesApi
{
    public static RouteGroupBuilder MapCommunitiesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/communities").WithTags("Communities");
        group.MapPost("/", Create).Requires(Permissions.CreateCommunity)
            .WithName("createCommunity").WithSummary("Create a community")
            .WithDescription("""
                Creates the community, its owner's membership (role `owner`, the default reputation) and its default
                settings in one transaction. A user caller becomes the owner; a service names the owner by `owner_id` or by
                platform account (`owner`, resolved or created as identity resolve does). `name` is 1–100 characters and
                unique regardless of case. Only services and super admins choose `tier: premium` or another owner.
                """)
            .WithProblems(ErrorCodes.ValidationFailed, ErrorCodes.UnsupportedPlatform, ErrorCodes.Forbidden, ErrorCodes.IdentityNotFound,
                ErrorCodes.UserNotFound, ErrorCodes.CommunityNameTaken)
            .Emits(EventTypes.CommunityCreated).WithETag()
            .WithRequestExample(new CreateCommunityRequest("Waddle Pond", Description: "Ducks and the people who feed them.",
                Owner: new OwnerIdentity("twitch", "1001", "mallard")));
        group.MapGet("/", List).Requires(Permissions.ReadCommunity)
            .WithName("listCommunities").WithSummary("List communities")
            .WithDescription("""
                Active communities in id order, keyset-paged; `include_inactive=true` adds deactivated ones. `q` matches
                name and display name (case-insensitive), `platform` keeps those connected to that platform, `tier` one tier.
                Users see public communities and their own; services and super admins see all.
                """)
            .WithProblems(ErrorCodes.ValidationFailed, ErrorCodes.InvalidCursor, ErrorCodes.UnsupportedPlatform);
        group.MapGet("/{id:long}", Get).RequiresInCommunity(Permissions.ReadCommunity)
            .WithName("getCommunity").WithSummary("Read a community")
            .WithDescription("The community with its connected platforms. A private one is visible only to its members (to others it is 404).")
            .WithETag(ifNoneMatch: true);
        group.MapPut("/{id:long}", Update).RequiresInCommunity(Permissions.UpdateCommunity)
            .WithName("replaceCommunity").WithSummary("Change a community (PUT)")
            .WithDescription("""
                The same as PATCH: only the fields present change (`name`, `display_name`, `description`, `avatar_url`,
                `is_public`; `tier` by services and super admins only), and a present `null` clears a field. Refused on a
                deactivated community.
                """)
            .WithProblems(ErrorCodes.ValidationFailed, ErrorCodes.Forbidden, ErrorCodes.CommunityInactive, ErrorCodes.CommunityNameTaken)
            .Emits(EventTypes.CommunityUpdated).WithETag(ifMatch: true)
            .WithRequestExample(new { display_name = "The Waddle Pond", is_public = false });
        group.MapPatch("/{id:long}", Update).RequiresInCommunity(Permissions.UpdateCommunity)
            .WithName("updateCommunity").WithSummary("Change a community")
            .WithDescription("""
                Changes the fields present (`name`, `display_name`, `description`, `avatar_url`, `is_public`; `tier` by
                services and super admins only); a present `null` clears a field, an absent one stays. Refused on a
                deactivated community. A request that changes nothing answers the community as it is and records nothing.
                """)
            .WithProblems(ErrorCodes.ValidationFailed, ErrorCodes.Forbidden, ErrorCodes.CommunityInactive, ErrorCodes.CommunityNameTaken)
            .Emits(EventTypes.CommunityUpdated).WithETag(ifMatch: true)
            .WithRequestExample(new { description = "Ducks, geese and the people who feed them." });
        group.MapDelete("/{id:long}", Deactivate).RequiresInCommunity(Permissions.OwnCommunity)
            .WithName("deactivateCommunity").WithSummary("Deactivate a community")
            .WithDescription("""
                Deactivates, never deletes: the community stays readable, leaves default lists and refuses joins (409
                `community_inactive`). Its platform connections are suspended with it, so another community may connect
                those channels. Deactivating an inactive community answers it unchanged.
                """)
            .Emits(EventTypes.CommunityDeactivated).WithETag(ifMatch: true);
        group.MapPost("/{id:long}/restore", Restore).RequiresInCommunity(Permissions.OwnCommunity)
            .WithName("restoreCommunity").WithSummary("Restore a deactivated community")
            .WithDescription("""
                Reactivates the community and its platform connections. A connection whose channel another community
                connected in the meantime is dropped (`platform.disconnected`, reason `connected_by_another_community`).
                """)
            .Emits(EventTypes.CommunityRestored, EventTypes.PlatformDisconnected).WithETag();
        group.MapPost("/{id:long}/transfer-ownership", TransferOwnership).RequiresInCommunity(Permissions.OwnCommunity)
            .WithName("transferOwnership").WithSummary("Transfer ownership")
            .WithDescription("""
                Makes `new_owner_id`, an active member in good standing, the owner; the old owner becomes admin. There is
                exactly one owner before, during and after.
                """)
            .WithProblems(ErrorCodes.ValidationFailed, ErrorCodes.CommunityInactive, ErrorCodes.MemberNotFound, ErrorCodes.Conflict)
            .Emits(EventTypes.OwnershipTransferred).WithETag()
            .WithRequestExample(new TransferOwnershipRequest(2));
        group.MapGet("/{id:long}/stats", Stats).RequiresInCommunity(Permissions.ReadCommunity)
            .WithName("getCommunityStats").WithSummary("Community statistics")
            .WithDescription("""
                Members by role and status, platform connections by platform, joins in the last 1, 7 and 30 days, and the
                active members' reputation: the average and how many fall in each tier.
                """);
        return group;
    }

    private static async Task<Results<Created<Envelope<CommunityResponse>>, ProblemHttpResult>> Create(
        CreateCommunityRequest request, Access access, CommunityDb db, Journal journal,
        SettingsStore settings, IdentityResolver resolver, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var name = errors.Name("name", request.Name, 100, required: true);
        var displayName = errors.Name("display_name", request.DisplayName, 200);
        var description = errors.Text("description", request.Description, 2000, allowNewlines: true);
        var avatarUrl = errors.Url("avatar_url", request.AvatarUrl);
        errors.OneOf("tier", request.Tier, Tiers.All);
        var trusted = access.Caller.IsService || access.Caller.IsSuperAdmin;
        var namesAnotherOwner = request.Owner is not null || (request.OwnerId is { } named && named != access.Caller.HubUserId);
        if (request.OwnerId is not null && request.Owner is not null)
            errors.Add("owner", "Give owner_id or owner, not both.");
        else if (access.Caller.IsService && request.OwnerId is null && request.Owner is null)
            errors.Add("owner_id", "A service must name the owner: owner_id, or owner {platform, platform_user_id}.");
        else if (!trusted && namesAnotherOwner)
            errors.Add("owner_id", "You become the owner of a community you create; only services and super admins name another owner.");
        if (request.OwnerId is <= 0) errors.Add("owner_id", "Must be a positive id.");
        if (request.Owner is { } owner)
        {
            if (errors.Account(owner.Platform, owner.PlatformUserId, "owner.") is { } unsupported) return unsupported;
            errors.Name("owner.platform_username", owner.PlatformUsername, 255);
        }
        if (errors.HasProblem(out var invalid)) return invalid;
        if (request.Tier == Tiers.Premium && !trusted)
            return Problems.Forbidden(ErrorCodes.Forbidden, "Only services and super admins choose the premium tier.");

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // An owner named by platform account is resolved inside the transaction, so a refused create (its name taken)
        // leaves no account behind.
        long ownerId;
        if (request.Owner is not { } o) ownerId = request.OwnerId ?? access.Caller.HubUserId!.Value;
        else if (await resolver.OwnerForAsync(access.Caller, access.MayWriteIdentities, o.Platform!, o.PlatformUserId!.Trim(),
                     o.PlatformUsername?.Trim(), ct) is { } resolved) ownerId = resolved;
        else return IdentityProblems.NotFound(o.Platform!, o.PlatformUserId!.Trim());
        // Locked so the owner cannot be merged away before the community commits.
        if (await db.LockActiveUserAsync(ownerId, followMerges: false, ct) is null) return Problems.UserNotFound(ownerId);
        var now = clock.UtcNow();
        var community = new Community
        {
            Name = name!,
            NameKey = name!.ToLowerInvariant(),
            DisplayName = displayName ?? name,
            Description = description,
            AvatarUrl = avatarUrl,
            OwnerId = ownerId,
            Tier = request.Tier ?? Tiers.Free,
            IsPublic = request.IsPublic ?? true,
            MemberCount = 1,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Communities.Add(community);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (DbErrors.IsUniqueViolation(e, "communities", "name_key"))
        {
            return CommunityProblems.NameTaken(name);
        }
        var member = new Member
        {
            CommunityId = community.Id, HubUserId = ownerId, Role = Roles.Owner, Reputation = ReputationScale.Default,
            Status = MemberStatus.Active, JoinedAt = now, UpdatedAt = now,
        };
        db.Members.Add(member);
        settings.AddDefaults(community.Id);
        var response = CommunityResponse.From(community, []);
        journal.Record(access.Caller, EventTypes.CommunityCreated, community.Id, "community", community.Id.ToString(), null, response, response);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);

        http.Response.Headers.ETag = ETags.For(response);
        return TypedResults.Created($"/api/v1/communities/{community.Id}", Envelope.Of(response));
    }

    private static async Task<Results<Ok<Envelope<IReadOnlyList<CommunityResponse>>>, ProblemHttpResult>> List(
        Access access, ReadOnlyDb reads, Cursors cursors, CancellationToken ct,
        string? q = null, string? platform = null, string? tier = null,
        [FromQuery(Name = "include_inactive")] bool? includeInactive = null, int? limit = null, string? cursor = null)
    {
        if (platform is not null && !SupportedPlatforms.IsSupported(platform)) return PlatformProblems.Unsupported(platform);
        var errors = new FieldErrors();
        var search = errors.Text("q", q, 100);
        errors.OneOf("tier", tier, Tiers.All);
        var pageSize = Paging.ValidLimit(limit, errors);
        var after = cursors.Decode(cursor, "communities", errors, CursorKey.Id);
        if (errors.HasProblem(out var invalid)) return invalid;

        var query = reads.Communities.AsNoTracking();
        if (includeInactive != true) query = query.Where(c => c.IsActive);
        if (tier is not null) query = query.Where(c => c.Tier == tier);
        if (!string.IsNullOrEmpty(search))
        {
            var pattern = CommunityQueries.ContainsPattern(search.ToLowerInvariant());
            query = query.Where(c => EF.Functions.Like(c.NameKey, pattern, "\\")
                || (c.DisplayName != null && EF.Functions.Like(c.DisplayName.ToLower(), pattern, "\\")));
        }
        if (platform is not null)
            query = query.Where(c => reads.PlatformConnections.Any(p => p.CommunityId == c.Id && p.Platform == platform));
        if (!access.Caller.IsService && !access.Caller.IsSuperAdmin)
        {
            var userId = access.Caller.HubUserId!.Value;
            query = query.Where(c => c.IsPublic
                || reads.Members.Any(m => m.CommunityId == c.Id && m.HubUserId == userId && m.Status == MemberStatus.Active));
        }
        if (after is [var lastId]) query = query.Where(c => c.Id > lastId);

        var rows = await query.OrderBy(c => c.Id).TakePage(pageSize!.Value).ToListAsync(ct);
        var platforms = await reads.PlatformsOfAsync(rows.Select(r => r.Id).ToList(), ct);
        var page = Paging.ToPage(rows, pageSize.Value, c => cursors.Encode("communities", c.Id),
            c => CommunityResponse.From(c, platforms.GetValueOrDefault(c.Id) ?? []));
        return TypedResults.Ok(Envelope.Page(page));
    }

    private static async Task<Results<Ok<Envelope<CommunityResponse>>, StatusCodeHttpResult>> Get(
        Access access, CommunityDb db, HttpContext http, CancellationToken ct) =>
        ETags.WithETag(http, await db.RepresentAsync(access.Community!, ct));

    private static async Task<Results<Ok<Envelope<CommunityResponse>>, ProblemHttpResult>> Update(
        long id, UpdateCommunityRequest request, Access access, CommunityDb db, Journal journal,
        TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        var errors = new FieldErrors();
        if (request.Name.IsSet) errors.Name("name", request.Name.Value, 100, required: true);
        if (request.DisplayName.IsSet) errors.Name("display_name", request.DisplayName.Value, 200);
        if (request.Description.IsSet) errors.Text("description", request.Description.Value, 2000, allowNewlines: true);
        if (request.AvatarUrl.IsSet) errors.Url("avatar_url", request.AvatarUrl.Value);
        if (request.IsPublic.IsSet && request.IsPublic.Value is null) errors.Add("is_public", "Must be true or false.");
        if (request.Tier.IsSet)
        {
            if (request.Tier.Value is null) errors.Add("tier", "Is required when present.");
            errors.OneOf("tier", request.Tier.Value, Tiers.All);
        }
        if (errors.HasProblem(out var invalid)) return invalid;
        if (request.Tier.IsSet && !access.Caller.IsService && !access.Caller.IsSuperAdmin)
            return Problems.Forbidden(ErrorCodes.Forbidden, "Only services and super admins change the tier.");

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (await access.ConfirmAsync(ct) is { } refused) return refused;
        var community = await db.Communities.FirstAsync(c => c.Id == id, ct);
        if (!community.IsActive) return CommunityProblems.Inactive(id);
        var before = await db.RepresentAsync(community, ct);
        if (ETags.CheckIfMatch(http.Request, ETags.For(before)) is { } stale) return stale;

        if (request.Name.IsSet)
        {
            community.Name = request.Name.Value!.Trim();
            community.NameKey = community.Name.ToLowerInvariant();
        }
        if (request.DisplayName.IsSet) community.DisplayName = request.DisplayName.Value?.Trim();
        if (request.Description.IsSet) community.Description = request.Description.Value?.Trim();
        if (request.AvatarUrl.IsSet) community.AvatarUrl = string.IsNullOrWhiteSpace(request.AvatarUrl.Value) ? null : request.AvatarUrl.Value.Trim();
        if (request.IsPublic.IsSet) community.IsPublic = request.IsPublic.Value!.Value;
        if (request.Tier.IsSet) community.Tier = request.Tier.Value!;
        if (!db.ChangeTracker.HasChanges()) return Respond(http, before);

        community.Version++;
        community.UpdatedAt = clock.UtcNow();
        var after = CommunityResponse.From(community, before.Platforms);
        journal.Record(access.Caller, EventTypes.CommunityUpdated, id, "community", id.ToString(), before, after,
            new { community = after, changed = ChangedFields(before, after) });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (DbErrors.IsUniqueViolation(e, "communities", "name_key"))
        {
            return CommunityProblems.NameTaken(community.Name);
        }
        await tx.CommitAsync(ct);
        return Respond(http, after);
    }

    internal static Ok<Envelope<CommunityResponse>> Respond(HttpContext http, CommunityResponse response)
    {
        http.Response.Headers.ETag = ETags.For(response);
        return TypedResults.Ok(Envelope.Of(response));
    }

    private static string[] ChangedFields(CommunityResponse before, CommunityResponse after) =>
        new (string Field, bool Changed)[]
        {
            ("name", before.Name != after.Name), ("display_name", before.DisplayName != after.DisplayName),
            ("description", before.Description != after.Description), ("avatar_url", before.AvatarUrl != after.AvatarUrl),
            ("is_public", before.IsPublic != after.IsPublic), ("tier", before.Tier != after.Tier),
        }.Where(f => f.Changed).Select(f => f.Field).ToArray();
}
