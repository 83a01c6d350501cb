using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Community.Api.Tests.Infrastructure;

namespace Community.Api.Tests.Auth;

/// <summary>Setting up people and communities through the API with the all-scopes service key, for the access tests.</summary>
public static class AccessSeed
{
    /// <summary>Creates a hub user (<c>POST /api/v1/users</c>); returns its id.</summary>
    public static async Task<long> HubUser(this TestApp app, string? username = null) =>
        (await (await app.Service().Post("/api/v1/users", new { username = username ?? $"u-{Guid.NewGuid():N}"[..14] }))
            .Data(HttpStatusCode.Created)).Long("id");

    /// <summary>Creates a community owned by <paramref name="ownerId"/>; returns its id.</summary>
    public static async Task<long> CommunityOwnedBy(this TestApp app, long ownerId, bool isPublic = true, string tier = "free") =>
        (await (await app.Service().Post("/api/v1/communities",
            new { name = $"c-{Guid.NewGuid():N}"[..20], owner_id = ownerId, is_public = isPublic, tier }))
            .Data(HttpStatusCode.Created)).Long("id");

    /// <summary>Adds <paramref name="hubUserId"/> as a member, then gives it <paramref name="role"/> with <c>PUT …/role</c>.</summary>
    public static async Task Seat(this TestApp app, long communityId, long hubUserId, string role = "member")
    {
        var service = app.Service();
        await (await service.Post($"/api/v1/communities/{communityId}/members", new { hub_user_id = hubUserId })).Data(HttpStatusCode.Created);
        if (role != "member")
            await (await service.Put($"/api/v1/communities/{communityId}/members/{hubUserId}/role", new { role })).Data();
    }

    /// <summary>A new hub user who is a member of the community; returns its id.</summary>
    public static async Task<long> NewMember(this TestApp app, long communityId, string role = "member")
    {
        var id = await app.HubUser();
        await app.Seat(communityId, id, role);
        return id;
    }

    /// <summary>Bans through the service key; returns the member JSON.</summary>
    public static async Task<JsonElement> BanByService(this TestApp app, long communityId, long hubUserId, long? durationSeconds = null) =>
        await (await app.Service().Post($"/api/v1/communities/{communityId}/members/{hubUserId}/ban",
            new { reason = "seeded ban", duration_seconds = durationSeconds })).Data();

    public static async Task<JsonElement> Settings(this TestApp app, long communityId, object changes) =>
        await (await app.Service().Patch($"/api/v1/communities/{communityId}/settings", changes)).Data();

    /// <summary>A fresh community with one hub user in each role.</summary>
    public static async Task<Crew> Crew(this TestApp app, bool isPublic = true)
    {
        var owner = await app.HubUser("owner");
        var community = await app.CommunityOwnedBy(owner, isPublic);
        return new Crew(community, owner, await app.NewMember(community, "admin"), await app.NewMember(community, "moderator"),
            await app.NewMember(community));
    }

    /// <summary>The <c>actor_role</c> / <c>required_role</c> of an <c>insufficient_role</c> refusal, asserted.</summary>
    public static async Task InsufficientRole(this HttpResponseMessage response, string? actorRole, string requiredRole)
    {
        var problem = await response.Problem(HttpStatusCode.Forbidden, "insufficient_role");
        var actual = problem.GetProperty("actor_role");
        Assert.Equal(actorRole, actual.ValueKind == JsonValueKind.Null ? null : actual.GetString());
        Assert.Equal(requiredRole, problem.Str("required_role"));
    }
}

/// <summary>A community and one hub user in each of its roles.</summary>
public sealed record Crew(long Community, long Owner, long Admin, long Moderator, long Member)
{
    public string Url => $"/api/v1/communities/{Community}";
}

/// <summary>
/// Everyone the access tests act as, built once per test app: a public and a private community, each with one user per
/// role (owner, admin, moderator, member) and a bystander member to read and adjust; a user who belongs to neither;
/// a super admin; and the admin of a third community.
/// </summary>
public sealed class RoleCast
{
    private static readonly ConditionalWeakTable<TestApp, Task<RoleCast>> Built = new();

    public required long NonMember { get; init; }
    public required long Member { get; init; }
    public required long Moderator { get; init; }
    public required long Admin { get; init; }
    public required long Owner { get; init; }
    public required long SuperAdmin { get; init; }
    public required long OtherAdmin { get; init; }
    /// <summary>A plain member of both communities, owner of the Twitch account <see cref="BystanderAccount"/>.</summary>
    public required long Bystander { get; init; }
    public required string BystanderAccount { get; init; }
    public required long Public { get; init; }
    public required long Private { get; init; }
    public required long Other { get; init; }
    /// <summary>The Twitch channel connected to <see cref="Public"/>.</summary>
    public required string PublicChannel { get; init; }

    /// <summary>The cast of this app, built on first use (the app is a class fixture, so once per test class).</summary>
    public static Task<RoleCast> For(TestApp app)
    {
        lock (Built) return Built.GetValue(app, BuildAsync);
    }

    private static async Task<RoleCast> BuildAsync(TestApp app)
    {
        var account = $"bystander-{Guid.NewGuid():N}";
        var bystander = (await (await app.Service().Post("/api/v1/identities/resolve",
            new { platform = "twitch", platform_user_id = account, platform_username = "bystander" })).Data()).Long("hub_user_id");
        long owner = await app.HubUser("owner"), admin = await app.HubUser("admin"),
            moderator = await app.HubUser("moderator"), member = await app.HubUser("member");
        // Premium, so the many connects of the matrix never meet the free tier's platform limit.
        var publicId = await Seated(app, owner, admin, moderator, member, isPublic: true, "premium", viaRolePut: true);
        var privateId = await Seated(app, owner, admin, moderator, member, isPublic: false, "premium", viaRolePut: true);
        var other = await app.CommunityOwnedBy(await app.HubUser("other-owner"));
        var otherAdmin = await app.HubUser("other-admin");
        await app.Seat(other, otherAdmin, "admin");
        await app.Seat(publicId, bystander);
        await app.Seat(privateId, bystander);
        var channel = $"chan-{Guid.NewGuid():N}";
        await app.Connect(publicId, "twitch", channel);
        return new RoleCast
        {
            NonMember = await app.HubUser("non-member"), Member = member, Moderator = moderator, Admin = admin, Owner = owner,
            SuperAdmin = await app.HubUser("super-admin"), OtherAdmin = otherAdmin, Bystander = bystander, BystanderAccount = account,
            Public = publicId, Private = privateId, Other = other, PublicChannel = channel,
        };
    }

    /// <summary>A fresh community seated like the shared ones, for the matrix's one-shot writes (deactivate, restore, transfer).</summary>
    public Task<long> FreshCommunity(TestApp app, bool isPublic) => Seated(app, Owner, Admin, Moderator, Member, isPublic, "free", viaRolePut: false);

    /// <summary>
    /// A community owned by <paramref name="owner"/> with the admin, moderator and member in their roles: the shared
    /// communities set roles with <c>PUT …/role</c>; fresh ones add members with their role directly, one request fewer each.
    /// </summary>
    private static async Task<long> Seated(TestApp app, long owner, long admin, long moderator, long member, bool isPublic, string tier, bool viaRolePut)
    {
        var id = await app.CommunityOwnedBy(owner, isPublic, tier);
        foreach (var (user, role) in new[] { (admin, "admin"), (moderator, "moderator"), (member, "member") })
            if (viaRolePut) await app.Seat(id, user, role);
            else
                await (await app.Service().Post($"/api/v1/communities/{id}/members", new { hub_user_id = user, role }))
                    .Data(HttpStatusCode.Created);
        return id;
    }
}
