using Community.Api.ApiDescription;
using Community.Api.Auth;
using Community.Api.Http;
using Community.Api.Members;
using Community.Api.Platforms;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Community.Api.Lookup;

public sealed record LookupCommunity(long Id, string Name, string Tier, bool IsActive);
public sealed record LookupMember(long HubUserId, string Role, int Reputation, string Status);
public sealed record LookupResponse(LookupCommunity Community, LookupMember? Member, bool Banned);

/// <summary>The Router's hot path: community, member and ban state of a chat message's author, in one cached call.</summary>
public static class LookupApi
{
    public static RouteGroupBuilder MapLookupApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/lookup").WithTags("Lookup");
        group.MapGet("/", Lookup).Requires(Permissions.Lookup)
            .WithName("lookup").WithSummary("Routing lookup")
            .WithDescription("""
                The Router's hot path, once per chat message: the community connected to `platform` +
                `platform_community_id`, and the author's membership and ban state when `platform_user_id` is given
                (`member` is null for a stranger). Served from cache, invalidated on every change; a timeout ends on time
                even while cached.
                """)
            .WithProblems(ErrorCodes.ValidationFailed, ErrorCodes.UnsupportedPlatform, ErrorCodes.CommunityNotFound);
        return group;
    }

    private static async Task<Results<HotOk<Envelope<LookupResponse>>, ProblemHttpResult>> Lookup(
        Access access, RouteCache routes, TimeProvider clock, CancellationToken ct,
        string? platform = null,
        [FromQuery(Name = "platform_community_id")] string? platformCommunityId = null,
        [FromQuery(Name = "platform_user_id")] string? platformUserId = null)
    {
        if (platform is not null && !SupportedPlatforms.IsSupported(platform)) return PlatformProblems.Unsupported(platform);
        var errors = new FieldErrors();
        if (platform is null) errors.Add("platform", "Is required.");
        errors.Text("platform_community_id", platformCommunityId, 255, required: true);
        if (platformUserId is not null) errors.Text("platform_user_id", platformUserId, 255);
        if (errors.HasProblem(out var invalid)) return invalid;

        var entry = await routes.GetAsync(platform!, platformCommunityId!, platformUserId, ct);
        if (entry.Community is not { } c)
            return Problems.NotFound(Http.ErrorCodes.CommunityNotFound, $"No community is connected to {platform} community '{platformCommunityId}'.");
        var m = entry.Member;
        // The ban is evaluated now, not when cached, so a timeout ends on time even while its entry is cached.
        var banned = m is not null && MemberRules.IsBanned(m.BannedAt, m.BanExpiresAt, Hosting.Clock.UtcNow(clock));
        return HotOk.Of(Envelope.Of(new LookupResponse(
            new LookupCommunity(c.Id, c.Name, c.Tier, c.IsActive),
            m is null ? null : new LookupMember(m.HubUserId, m.Role, m.Reputation, m.Status),
            banned)));
    }
}
