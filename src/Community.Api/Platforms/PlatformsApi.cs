using Community.Api.ApiDescription;
using System.Text.Json;
using Community.Api.Auth;
using Community.Api.Communities;
using Community.Api.Data;
using Community.Api.Events;
using Community.Api.Hosting;
using Community.Api.Http;
using Community.Api.Lookup;
using Community.Api.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Community.Api.Platforms;

/// <summary>A community's connections to Twitch channels, Discord servers, Slack workspaces and the like.</summary>
public static class PlatformsApi
{
    private const int MaxCredentialBytes = 16 * 1024;

    public static RouteGroupBuilder MapPlatformsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/communities/{id:long}/platforms").WithTags("Platforms");
        group.MapGet("/", List).RequiresInCommunity(Permissions.ReadCommunity)
            .WithName("listPlatforms").WithSummary("List platform connections")
            .WithDescription("The community's connections, oldest first. Credentials are never returned; `has_credentials` says whether any are stored.");
        group.MapPost("/", Connect).RequiresInCommunity(Permissions.UpdateCommunity)
            .WithName("connectPlatform").WithSummary("Connect a platform community")
            .WithDescription("""
                Connects a Twitch channel, Discord server, Slack workspace and the like. A platform community belongs to one
                active community at a time (409 `platform_already_connected`), and the tier caps the number of connections
                (free: 3; 403 `tier_limit_exceeded`). `credentials` (an object, at most 16 KiB) are encrypted at rest and never
                returned. The first connection becomes the primary one.
                """)
            .WithProblems(ErrorCodes.ValidationFailed, ErrorCodes.UnsupportedPlatform, ErrorCodes.CommunityInactive,
                ErrorCodes.TierLimitExceeded, ErrorCodes.PlatformAlreadyConnected)
            .Emits(EventTypes.PlatformConnected)
            .WithRequestExample(new ConnectPlatformRequest("twitch", "waddlepond", "Waddle Pond on Twitch",
                JsonSerializer.SerializeToElement(new { oauth_token = "oauth:…" })));
        group.MapDelete("/{platform}", Disconnect).RequiresInCommunity(Permissions.UpdateCommunity)
            .WithName("disconnectPlatform").WithSummary("Disconnect a platform community")
            .WithDescription("""
                Removes the community's connection to `platform`; when it has several on that platform,
                `platform_community_id` names one (409 otherwise). When the primary connection goes, the oldest remaining one
                becomes primary.
                """)
            .WithProblems(ErrorCodes.ValidationFailed, ErrorCodes.UnsupportedPlatform, ErrorCodes.PlatformNotFound, ErrorCodes.Conflict)
            .Emits(EventTypes.PlatformDisconnected);
        return group;
    }

    private static async Task<Results<Ok<Envelope<IReadOnlyList<PlatformConnectionResponse>>>, ProblemHttpResult>> List(
        long id, Access access, CommunityDb db, CancellationToken ct)
    {
        var connections = await db.PlatformConnections.AsNoTracking().Where(p => p.CommunityId == id).OrderBy(p => p.Id).ToListAsync(ct);
        return TypedResults.Ok(Envelope.Of<IReadOnlyList<PlatformConnectionResponse>>(connections.Select(PlatformConnectionResponse.From).ToList()));
    }

    /// <summary>
    /// Connects a platform community. The tier limit is checked with the community row locked, so concurrent
    /// connects cannot overshoot it; the partial unique index makes a channel belong to one active community.
    /// </summary>
    private static async Task<Results<Created<Envelope<PlatformConnectionResponse>>, ProblemHttpResult>> Connect(
        long id, ConnectPlatformRequest request, Access access, CommunityDb db, Journal journal,
        SecretProtector secrets, IOptions<TierOptions> tiers, TimeProvider clock, CancellationToken ct)
    {
        if (request.Platform is not null && !SupportedPlatforms.IsSupported(request.Platform)) return PlatformProblems.Unsupported(request.Platform);

        var errors = new FieldErrors();
        if (request.Platform is null) errors.Add("platform", "Is required.");
        var platformCommunityId = errors.Text("platform_community_id", request.PlatformCommunityId, 255, required: true);
        var displayName = errors.Name("display_name", request.DisplayName, 200);
        string? credentials = null;
        if (request.Credentials is { ValueKind: not JsonValueKind.Null } given)
        {
            if (given.ValueKind != JsonValueKind.Object) errors.Add("credentials", "Must be an object.");
            else if ((credentials = given.GetRawText()).Length > MaxCredentialBytes) errors.Add("credentials", $"Must be at most {MaxCredentialBytes} bytes.");
        }
        if (errors.HasProblem(out var invalid)) return invalid;
        var platform = request.Platform!;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (await access.ConfirmAsync(ct) is { } refused) return refused;
        var community = access.Community!;
        if (!community.IsActive) return CommunityProblems.Inactive(id);
        var tier = community.Tier;
        var count = await db.PlatformConnections.CountAsync(p => p.CommunityId == id, ct);
        if (tiers.Value.MaxPlatforms(tier) is { } limit && count >= limit)
            return Problems.Forbidden(ErrorCodes.TierLimitExceeded,
                $"The {tier} tier allows {limit} platform connection{(limit == 1 ? "" : "s")}; disconnect one or upgrade.",
                new Dictionary<string, object?> { ["tier"] = tier, ["limit"] = limit });
        if (await db.PlatformConnections.AnyAsync(p => p.IsActive && p.Platform == platform && p.PlatformCommunityId == platformCommunityId, ct))
            return AlreadyConnected(platform, platformCommunityId!);

        var connection = new PlatformConnection
        {
            CommunityId = id,
            Platform = platform,
            PlatformCommunityId = platformCommunityId!,
            DisplayName = displayName,
            IsPrimary = count == 0,
            CredentialsCiphertext = credentials is null ? null : secrets.Protect(credentials),
            CreatedAt = clock.UtcNow(),
        };
        db.PlatformConnections.Add(connection);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (DbErrors.IsUniqueViolation(e, "community_platforms", "platform"))
        {
            return AlreadyConnected(platform, platformCommunityId!);
        }
        var response = PlatformConnectionResponse.From(connection);
        journal.Record(access.Caller, EventTypes.PlatformConnected, id, "platform", connection.Id.ToString(), null, response, new { connection = response });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return TypedResults.Created($"/api/v1/communities/{id}/platforms", Envelope.Of(response));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Disconnect(
        long id, string platform, Access access, CommunityDb db, Journal journal,
        CancellationToken ct, [FromQuery(Name = "platform_community_id")] string? platformCommunityId = null)
    {
        if (!SupportedPlatforms.IsSupported(platform)) return PlatformProblems.Unsupported(platform);
        var errors = new FieldErrors();
        if (platformCommunityId is not null) platformCommunityId = errors.Text("platform_community_id", platformCommunityId, 255);
        if (errors.HasProblem(out var invalid)) return invalid;

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (await access.ConfirmAsync(ct) is { } refused) return refused;
        var matches = await db.PlatformConnections.Where(p => p.CommunityId == id && p.Platform == platform
            && (platformCommunityId == null || p.PlatformCommunityId == platformCommunityId)).ToListAsync(ct);
        if (matches.Count == 0)
            return Problems.NotFound(ErrorCodes.PlatformNotFound, $"Community {id} has no {platform} connection{(platformCommunityId is null ? "" : $" to '{platformCommunityId}'")}.");
        if (matches.Count > 1)
            return Problems.Conflict(ErrorCodes.Conflict, $"Community {id} has {matches.Count} {platform} connections; name one with ?platform_community_id=.");

        var connection = matches[0];
        db.PlatformConnections.Remove(connection);
        if (connection.IsPrimary)
        {
            // The oldest remaining connection becomes primary, so a community with connections always has one.
            var next = await db.PlatformConnections.Where(p => p.CommunityId == id && p.Id != connection.Id).OrderBy(p => p.Id).FirstOrDefaultAsync(ct);
            if (next is not null) next.IsPrimary = true;
        }
        var response = PlatformConnectionResponse.From(connection);
        journal.Record(access.Caller, EventTypes.PlatformDisconnected, id, "platform", connection.Id.ToString(), response, null, new { connection = response });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return TypedResults.NoContent();
    }

    private static ProblemHttpResult AlreadyConnected(string platform, string platformCommunityId) =>
        Problems.Conflict(ErrorCodes.PlatformAlreadyConnected, $"The {platform} community '{platformCommunityId}' is already connected to an active community.");
}
