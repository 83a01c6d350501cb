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

namespace Community.Api.Communities;

/// <summary>Create, read, list and update communities. Lifecycle and statistics live in the other parts of this class.</summary>
public static partial class CommunitiesApi
{
    public static RouteGroupBuilder MapCommunitiesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/communities").WithTags("Communities");
        group.MapPost("/", Create);
        group.MapGet("/", List);
        group.MapGet("/{id:long}", Get);
        group.MapPut("/{id:long}", Update);
        group.MapPatch("/{id:long}", Update);
        group.MapDelete("/{id:long}", Deactivate);
        group.MapPost("/{id:long}/restore", Restore);
        group.MapPost("/{id:long}/transfer-ownership", TransferOwnership);
        group.MapGet("/{id:long}/stats", Stats);
        return group;
    }

    private static async Task<Results<Created<Envelope<CommunityResponse>>, ProblemHttpResult>> Create(
        CreateCommunityRequest request, Caller caller, CommunityAccess access, CommunityDb db, Journal journal,
        SettingsStore settings, IdentityResolver resolver, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        if (access.Check(caller, Permissions.CreateCommunity).Problem is { } denied) return denied;

        var errors = new FieldErrors();
        var name = errors.Name("name", request.Name, 100, required: true);
        var displayName = errors.Name("display_name", request.DisplayName, 200);
        var description = errors.Text("description", request.Description, 2000, allowNewlines: true);
        var avatarUrl = errors.Url("avatar_url", request.AvatarUrl);
        errors.OneOf("tier", request.Tier, Tiers.All);
        var trusted = caller.IsService || caller.IsSuperAdmin;
        var namesAnotherOwner = request.Owner is not null || (request.OwnerId is { } named && named != caller.HubUserId);
        if (request.OwnerId is not null && request.Owner is not null)
            errors.Add("owner", "Give owner_id or owner, not both.");
        else if (caller.IsService && request.OwnerId is null && request.Owner is null)
            errors.Add("owner_id", "A service must name the owner: owner_id, or owner {platform, platform_user_id}.");
        else if (!trusted && namesAnotherOwner)
            errors.Add("owner_id", "You become the owner of a community you create; only services and super admins name another owner.");
        if (request.OwnerId is <= 0) errors.Add("owner_id", "Must be a positive id.");
        if (request.Owner is { } owner)
        {
            if (IdentitiesApi.ValidateAccount(errors, owner.Platform, owner.PlatformUserId, "owner.") is { } unsupported) return unsupported;
            errors.Name("owner.platform_username", owner.PlatformUsername, 255);
        }
        if (errors.HasProblem(out var invalid)) return invalid;
        if (request.Tier == Tiers.Premium && !trusted)
            return Problems.Forbidden(ErrorCodes.Forbidden, "Only services and super admins choose the premium tier.");

        long ownerId;
        if (request.Owner is not { } o) ownerId = request.OwnerId ?? caller.HubUserId!.Value;
        else if (await resolver.OwnerForAsync(caller, access.MayWriteIdentities(caller), o.Platform!, o.PlatformUserId!.Trim(),
                     o.PlatformUsername?.Trim(), ct) is { } resolved) ownerId = resolved;
        else return IdentitiesApi.IdentityNotFound(o.Platform!, o.PlatformUserId!.Trim());

        await using var tx = await db.Database.BeginTransactionAsync(ct);
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
            return NameTaken(name);
        }
        var member = new Member
        {
            CommunityId = community.Id, HubUserId = ownerId, Role = Roles.Owner, Reputation = Reputation.Default,
            Status = MemberStatus.Active, JoinedAt = now, UpdatedAt = now,
        };
        db.Members.Add(member);
        settings.AddDefaults(community.Id);
        var response = CommunityResponse.From(community, []);
        journal.Record(caller, EventTypes.CommunityCreated, community.Id, "community", community.Id.ToString(), null, response, response);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);

        http.Response.Headers.ETag = ETags.For(response);
        return TypedResults.Created($"/api/v1/communities/{community.Id}", Envelope.Of(response));
    }

    private static async Task<Results<Ok<Envelope<IReadOnlyList<CommunityResponse>>>, ProblemHttpResult>> List(
        Caller caller, CommunityAccess access, ReadOnlyDb reads, Cursors cursors, CancellationToken ct,
        string? q = null, string? platform = null, string? tier = null,
        [FromQuery(Name = "include_inactive")] bool? includeInactive = null, int? limit = null, string? cursor = null)
    {
        if (access.Check(caller, Permissions.ReadCommunity).Problem is { } denied) return denied;
        if (platform is not null && !SupportedPlatforms.IsSupported(platform)) return Problems.UnsupportedPlatform(platform);
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
            query = query.Where(c => reads.Platforms.Any(p => p.CommunityId == c.Id && p.Platform == platform));
        if (!caller.IsService && !caller.IsSuperAdmin)
        {
            var userId = caller.HubUserId!.Value;
            query = query.Where(c => c.IsPublic
                || reads.Members.Any(m => m.CommunityId == c.Id && m.HubUserId == userId && m.Status == MemberStatus.Active));
        }
        if (after is [var lastId]) query = query.Where(c => c.Id > lastId);

        var rows = await query.OrderBy(c => c.Id).Take(pageSize!.Value + 1).ToListAsync(ct);
        var platforms = await reads.PlatformsOfAsync(rows.Select(r => r.Id).ToList(), ct);
        var page = Paging.ToPage(rows, pageSize.Value, c => cursors.Encode("communities", c.Id),
            c => CommunityResponse.From(c, platforms.GetValueOrDefault(c.Id) ?? []));
        return TypedResults.Ok(Envelope.Page(page));
    }

    private static async Task<IResult> Get(long id, Caller caller, CommunityAccess access, CommunityDb db, HttpContext http, CancellationToken ct)
    {
        var grant = await access.CheckAsync(caller, id, Permissions.ReadCommunity, ct);
        if (grant.Problem is { } denied) return denied;
        var response = await db.RepresentAsync(grant.Community!, ct);
        return ETags.WithETag(http, response, () => TypedResults.Ok(Envelope.Of(response)));
    }

    private static async Task<Results<Ok<Envelope<CommunityResponse>>, ProblemHttpResult>> Update(
        long id, UpdateCommunityRequest request, Caller caller, CommunityAccess access, CommunityDb db, Journal journal,
        TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        if ((await access.CheckAsync(caller, id, Permissions.UpdateCommunity, ct)).Problem is { } denied) return denied;

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
        if (request.Tier.IsSet && !caller.IsService && !caller.IsSuperAdmin)
            return Problems.Forbidden(ErrorCodes.Forbidden, "Only services and super admins change the tier.");

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if ((await access.LockAndCheckAsync(caller, id, Permissions.UpdateCommunity, ct)).Problem is { } refused) return refused;
        var community = await db.Communities.FirstAsync(c => c.Id == id, ct);
        if (!community.IsActive) return Inactive(id);
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
        journal.Record(caller, EventTypes.CommunityUpdated, id, "community", id.ToString(), before, after,
            new { community = after, changed = ChangedFields(before, after) });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (DbErrors.IsUniqueViolation(e, "communities", "name_key"))
        {
            return NameTaken(community.Name);
        }
        await tx.CommitAsync(ct);
        return Respond(http, after);
    }

    internal static Ok<Envelope<CommunityResponse>> Respond(HttpContext http, CommunityResponse response)
    {
        http.Response.Headers.ETag = ETags.For(response);
        return TypedResults.Ok(Envelope.Of(response));
    }

    internal static ProblemHttpResult Inactive(long id) =>
        Problems.Conflict(ErrorCodes.CommunityInactive, $"Community {id} is deactivated; restore it first.");

    private static ProblemHttpResult NameTaken(string? name) =>
        Problems.Conflict(ErrorCodes.CommunityNameTaken, $"A community named '{name}' already exists (names are unique regardless of case).");

    private static string[] ChangedFields(CommunityResponse before, CommunityResponse after) =>
        new (string Field, bool Changed)[]
        {
            ("name", before.Name != after.Name), ("display_name", before.DisplayName != after.DisplayName),
            ("description", before.Description != after.Description), ("avatar_url", before.AvatarUrl != after.AvatarUrl),
            ("is_public", before.IsPublic != after.IsPublic), ("tier", before.Tier != after.Tier),
        }.Where(f => f.Changed).Select(f => f.Field).ToArray();
}
