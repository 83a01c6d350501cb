using Community.Api.JoinRequests;
using Community.Api.Webhooks;
using System.Net.Http.Json;
using System.Text.Json;
using Community.Api.Members;
using Community.Api.Tests.Infrastructure;
using Community.Api.Tests.Invites;

namespace Community.Api.Tests.Auth;

/// <summary>
/// The role table of CONTRACT §3, cell by cell: every endpoint (events and webhooks aside) against every kind of caller,
/// on a public and a private community. Each cell is one request with its own target where the request uses one up
/// (a fresh member to remove, a fresh connection to disconnect, a fresh community to deactivate), so cells never
/// depend on each other. The expected table below is the specification; where the contract is silent it records
/// the choice of <c>Permissions.cs</c> (marked "silent").
/// </summary>
public abstract class RoleMatrixTests(TestApp app) : ApiTest(app)
{
    /// <summary>The callers, in the order of the table's columns.</summary>
    public static readonly string[] Callers =
        ["anonymous", "key:no-scopes", "key:read-only", "key:all-scopes", "non-member", "member", "moderator", "admin", "owner", "super-admin", "admin-of-other"];

    // {c} is /api/v1/communities/{id}; every path is under /api/v1.
    // Cell notation: a status, with the error code as a letter: f forbidden, r insufficient_role, c community_not_found.
    // 401 is always unauthorized. The read-only key has communities:read, members:read, identities:read and events:read.
    private static readonly (string Endpoint, string Community, string Cells)[] Table =
    [
        //                                                                  anon  none  read  all   non   mem   mod   adm   own   sup   oth
        ("GET {c}",                                            "public",   "401   403f  200   200   200   200   200   200   200   200   200"),
        ("GET {c}",                                            "private",  "401   403f  200   200   404c  200   200   200   200   200   404c"),
        ("PATCH {c}",                                          "public",   "401   403f  403f  200   403r  403r  403r  200   200   200   403r"),
        ("PATCH {c}",                                          "private",  "401   403f  403f  200   404c  403r  403r  200   200   200   404c"),
        ("PUT {c}",                                            "public",   "401   403f  403f  200   403r  403r  403r  200   200   200   403r"),
        ("PUT {c}",                                            "private",  "401   403f  403f  200   404c  403r  403r  200   200   200   404c"),
        ("DELETE {c}",                                         "public",   "401   403f  403f  200   403r  403r  403r  403r  200   200   403r"),
        ("DELETE {c}",                                         "private",  "401   403f  403f  200   404c  403r  403r  403r  200   200   404c"),
        ("POST {c}/restore",                                   "public",   "401   403f  403f  200   403r  403r  403r  403r  200   200   403r"),
        ("POST {c}/restore",                                   "private",  "401   403f  403f  200   404c  403r  403r  403r  200   200   404c"),
        ("POST {c}/transfer-ownership",                        "public",   "401   403f  403f  200   403r  403r  403r  403r  200   200   403r"),
        ("POST {c}/transfer-ownership",                        "private",  "401   403f  403f  200   404c  403r  403r  403r  200   200   404c"),
        // silent: stats and settings are read like the community itself (any signed-in user when public).
        ("GET {c}/stats",                                      "public",   "401   403f  200   200   200   200   200   200   200   200   200"),
        ("GET {c}/stats",                                      "private",  "401   403f  200   200   404c  200   200   200   200   200   404c"),
        ("GET {c}/platforms",                                  "public",   "401   403f  200   200   200   200   200   200   200   200   200"),
        ("GET {c}/platforms",                                  "private",  "401   403f  200   200   404c  200   200   200   200   200   404c"),
        ("POST {c}/platforms",                                 "public",   "401   403f  403f  201   403r  403r  403r  201   201   201   403r"),
        ("POST {c}/platforms",                                 "private",  "401   403f  403f  201   404c  403r  403r  201   201   201   404c"),
        ("DELETE {c}/platforms/{platform}",                    "public",   "401   403f  403f  204   403r  403r  403r  204   204   204   403r"),
        ("DELETE {c}/platforms/{platform}",                    "private",  "401   403f  403f  204   404c  403r  403r  204   204   204   404c"),
        ("GET {c}/settings",                                   "public",   "401   403f  200   200   200   200   200   200   200   200   200"),
        ("GET {c}/settings",                                   "private",  "401   403f  200   200   404c  200   200   200   200   200   404c"),
        ("PATCH {c}/settings",                                 "public",   "401   403f  403f  200   403r  403r  403r  200   200   200   403r"),
        ("PATCH {c}/settings",                                 "private",  "401   403f  403f  200   404c  403r  403r  200   200   200   404c"),
        ("GET {c}/members",                                    "public",   "401   403f  200   200   403r  200   200   200   200   200   403r"),
        ("GET {c}/members",                                    "private",  "401   403f  200   200   404c  200   200   200   200   200   404c"),
        ("GET {c}/members/{user}",                             "public",   "401   403f  200   200   403r  200   200   200   200   200   403r"),
        ("GET {c}/members/{user}",                             "private",  "401   403f  200   200   404c  200   200   200   200   200   404c"),
        ("POST {c}/members",                                   "public",   "401   403f  403f  201   403r  403r  403r  201   201   201   403r"),
        ("POST {c}/members",                                   "private",  "401   403f  403f  201   404c  403r  403r  201   201   201   404c"),
        ("DELETE {c}/members/{user}",                          "public",   "401   403f  403f  200   403r  403r  200   200   200   200   403r"),
        ("DELETE {c}/members/{user}",                          "private",  "401   403f  403f  200   404c  403r  200   200   200   200   404c"),
        ("PUT {c}/members/{user}/role",                        "public",   "401   403f  403f  200   403r  403r  403r  200   200   200   403r"),
        ("PUT {c}/members/{user}/role",                        "private",  "401   403f  403f  200   404c  403r  403r  200   200   200   404c"),
        ("POST {c}/members/{user}/ban",                        "public",   "401   403f  403f  200   403r  403r  200   200   200   200   403r"),
        ("POST {c}/members/{user}/ban",                        "private",  "401   403f  403f  200   404c  403r  200   200   200   200   404c"),
        ("DELETE {c}/members/{user}/ban",                      "public",   "401   403f  403f  200   403r  403r  200   200   200   200   403r"),
        ("DELETE {c}/members/{user}/ban",                      "private",  "401   403f  403f  200   404c  403r  200   200   200   200   404c"),
        // Services only; super admins may do everything. A private community is still 404 to outsiders first.
        ("POST {c}/members/{user}/reputation",                 "public",   "401   403f  403f  200   403f  403f  403f  403f  403f  200   403f"),
        ("POST {c}/members/{user}/reputation",                 "private",  "401   403f  403f  200   404c  403f  403f  403f  403f  200   404c"),
        // silent: the history is read like the member list.
        ("GET {c}/members/{user}/reputation/history",          "public",   "401   403f  200   200   403r  200   200   200   200   200   403r"),
        ("GET {c}/members/{user}/reputation/history",          "private",  "401   403f  200   200   404c  200   200   200   200   200   404c"),
        // silent: join requests are decided (and listed) by admins, with members:write for services.
        ("GET {c}/join-requests",                              "public",   "401   403f  403f  200   403r  403r  403r  200   200   200   403r"),
        ("GET {c}/join-requests",                              "private",  "401   403f  403f  200   404c  403r  403r  200   200   200   404c"),
        ("POST {c}/join-requests/{request}/approve",           "public",   "401   403f  403f  200   403r  403r  403r  200   200   200   403r"),
        ("POST {c}/join-requests/{request}/approve",           "private",  "401   403f  403f  200   404c  403r  403r  200   200   200   404c"),
        ("POST {c}/join-requests/{request}/reject",            "public",   "401   403f  403f  200   403r  403r  403r  200   200   200   403r"),
        ("POST {c}/join-requests/{request}/reject",            "private",  "401   403f  403f  200   404c  403r  403r  200   200   200   404c"),
        ("GET {c}/audit-log",                                  "public",   "401   403f  200   200   403r  403r  403r  200   200   200   403r"),
        ("GET {c}/audit-log",                                  "private",  "401   403f  200   200   404c  403r  403r  200   200   200   404c"),
        ("POST {c}/invites",                                   "public",   "401   403f  403f  201   403r  403r  201   201   201   201   403r"),
        ("POST {c}/invites",                                   "private",  "401   403f  403f  201   404c  403r  201   201   201   201   404c"),
        ("GET {c}/invites",                                    "public",   "401   403f  403f  200   403r  403r  200   200   200   200   403r"),
        ("GET {c}/invites",                                    "private",  "401   403f  403f  200   404c  403r  200   200   200   200   404c"),
        // The moderator's own invite; revoking another's needs admin (InviteTests).
        ("DELETE {c}/invites/{code}",                          "public",   "401   403f  403f  200   403r  403r  200   200   200   200   403r"),
        ("DELETE {c}/invites/{code}",                          "private",  "401   403f  403f  200   404c  403r  200   200   200   200   404c"),

        ("POST /communities",                                  "-",        "401   403f  403f  201   201   201   201   201   201   201   201"),
        ("GET /communities",                                   "-",        "401   403f  200   200   200   200   200   200   200   200   200"),
        // silent: the connector paths, the Router's lookup, and hub users are for services (and super admins).
        ("POST /members/join",                                 "-",        "401   403f  403f  200   403f  403f  403f  403f  403f  200   403f"),
        ("POST /members/leave",                                "-",        "401   403f  403f  200   403f  403f  403f  403f  403f  200   403f"),
        ("GET /lookup",                                        "-",        "401   403f  200   200   403f  403f  403f  403f  403f  200   403f"),
        ("POST /identities/resolve",                           "-",        "401   403f  403f  200   403f  403f  403f  403f  403f  200   403f"),
        ("GET /identities/{platform}/{account}",               "-",        "401   403f  200   200   403f  403f  403f  403f  403f  200   403f"),
        ("POST /users",                                        "-",        "401   403f  403f  201   403f  403f  403f  403f  403f  201   403f"),
        // silent: a user reads itself; anyone else's record needs identities:read (services read the bystander in both rows).
        ("GET /users/{other}",                                 "-",        "401   403f  200   200   403f  403f  403f  403f  403f  200   403f"),
        ("GET /users/{self}",                                  "-",        "401   403f  200   200   200   200   200   200   200   200   200"),
        ("GET /users/{other}/communities",                     "-",        "401   403f  200   200   403f  403f  403f  403f  403f  200   403f"),
        ("GET /users/{self}/communities",                      "-",        "401   403f  200   200   200   200   200   200   200   200   200"),
        // Linking is for services even when users name themselves.
        ("POST /users/{self}/identities",                      "-",        "401   403f  403f  201   403f  403f  403f  403f  403f  201   403f"),
        ("DELETE /users/{self}/identities/{platform}/{acct}",  "-",        "401   403f  403f  200   403f  403f  403f  403f  403f  200   403f"),
        // Users only, whoever holds the code: an invite of a fresh private community seated like the shared ones.
        ("GET /invites/{code}",                                "-",        "401   403f  403f  403f  200   200   200   200   200   200   200"),
        ("POST /invites/{code}/accept",                        "-",        "401   403f  403f  403f  201   200   200   200   200   201   201"),
    ];

    /// <summary>The least role each community endpoint names in its <c>insufficient_role</c> refusals.</summary>
    private static string RequiredRole(string endpoint) => endpoint switch
    {
        _ when endpoint.StartsWith("DELETE {c}/members/") || endpoint.Contains("/ban") => Roles.Moderator,
        "DELETE {c}" or "POST {c}/restore" or "POST {c}/transfer-ownership" => Roles.Owner,
        _ when endpoint.StartsWith("GET {c}/members") => Roles.Member,
        _ when endpoint.Contains("{c}/invites") => Roles.Moderator,
        _ => Roles.Admin,
    };

    public static TheoryData<string, string, string, string> Cells()
    {
        var data = new TheoryData<string, string, string, string>();
        foreach (var (endpoint, community, cells) in Table)
        {
            var expected = cells.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (expected.Length != Callers.Length) throw new InvalidOperationException($"{endpoint} ({community}) has {expected.Length} cells, not {Callers.Length}.");
            for (var i = 0; i < Callers.Length; i++) data.Add(endpoint, community, Callers[i], Expand(expected[i]));
        }
        return data;
    }

    private static string Expand(string cell) => cell[3..] switch
    {
        "" when cell == "401" => "401 unauthorized",
        "" => cell,
        "f" => $"{cell[..3]} forbidden",
        "r" => $"{cell[..3]} insufficient_role",
        "c" => $"{cell[..3]} community_not_found",
        var code => throw new InvalidOperationException($"Unknown cell code '{code}'."),
    };

    [Fact]
    public void TheTableCoversEveryEndpointOnceOrOncePerVisibility()
    {
        var rows = Table.GroupBy(r => r.Endpoint).ToList();
        Assert.All(rows, g => Assert.True(g.Count() == 1 && g.Single().Community == "-"
            || g.Select(r => r.Community).Order().SequenceEqual(["private", "public"]), g.Key));
        Assert.Equal(Requests.Keys.Order(), rows.Select(g => g.Key).Order());
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public async Task Cell(string endpoint, string community, string caller, string expected)
    {
        var cast = await RoleCast.For(App);
        var communityId = community switch { "public" => cast.Public, "private" => cast.Private, _ => 0 };
        var context = new Arrange(App, cast, communityId, community == "public", SelfOf(cast, caller));
        var request = await Requests[endpoint](context);

        var response = await Client(cast, caller).SendAsync(request, Ct);

        var status = int.Parse(expected[..3]);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True((int)response.StatusCode == status, $"{endpoint} on the {community} community as {caller}: expected {expected}, got {(int)response.StatusCode}: {body[..Math.Min(body.Length, 400)]}");
        if (status == 204) return;
        var json = JsonDocument.Parse(body).RootElement;
        if (status < 400)
        {
            Assert.True(json.Bool("success"));
            return;
        }
        Assert.Equal(expected[4..], json.Str("code"));
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.False(json.Bool("success"));
        if (json.Str("code") == "insufficient_role")
        {
            var actorRole = json.GetProperty("actor_role");
            Assert.Equal(RoleOf(caller), actorRole.ValueKind == JsonValueKind.Null ? null : actorRole.GetString());
            Assert.Equal(RequiredRole(endpoint), json.Str("required_role"));
        }
    }

    private static string? RoleOf(string caller) => caller is "member" or "moderator" or "admin" or "owner" ? caller : null;

    /// <summary>The caller's own hub user id; services and anonymous callers act on the bystander where a row names "self".</summary>
    private static long SelfOf(RoleCast cast, string caller) => caller switch
    {
        "non-member" => cast.NonMember,
        "member" => cast.Member,
        "moderator" => cast.Moderator,
        "admin" => cast.Admin,
        "owner" => cast.Owner,
        "super-admin" => cast.SuperAdmin,
        "admin-of-other" => cast.OtherAdmin,
        _ => cast.Bystander,
    };

    private HttpClient Client(RoleCast cast, string caller) => caller switch
    {
        "anonymous" => App.Anonymous(),
        "key:no-scopes" => App.Service(TestKeys.NoScopes),
        "key:read-only" => App.Service(TestKeys.ReadOnly),
        "key:all-scopes" => App.Service(),
        "super-admin" => App.User(cast.SuperAdmin, superAdmin: true),
        _ => App.User(SelfOf(cast, caller)),
    };

    /// <summary>What a cell's request may use: the app (to set up its own target), the cast, the community, and the caller's id.</summary>
    private sealed record Arrange(TestApp App, RoleCast Cast, long Community, bool IsPublic, long Self)
    {
        public HttpClient Service => App.Service();
        public string C => $"/api/v1/communities/{Community}";
    }

    private static HttpRequestMessage Req(HttpMethod method, string url, object? body = null) =>
        new(method, url) { Content = body is null ? null : JsonContent.Create(body, options: new JsonSerializerOptions()) };

    private static string Fresh(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    private static async Task<long> FreshMember(Arrange a) => await a.App.NewMember(a.Community);

    private static async Task<string> FreshConnection(Arrange a)
    {
        var channel = Fresh("discord");
        await a.App.Connect(a.Community, "discord", channel);
        return channel;
    }

    /// <summary>
    /// A pending join request of a fresh user. Written straight to the database: a private community cannot be asked to
    /// join by an outsider (that is 404), yet its admins still decide requests filed while it was public.
    /// </summary>
    private static async Task<long> PendingRequest(Arrange a)
    {
        var user = await a.App.HubUser();
        return await a.App.Db(async db =>
        {
            var request = new JoinRequest { CommunityId = a.Community, HubUserId = user, CreatedAt = a.App.Clock.GetUtcNow().UtcDateTime };
            db.JoinRequests.Add(request);
            await db.SaveChangesAsync();
            return request.Id;
        });
    }

    private static async Task<string> LinkedAccount(Arrange a)
    {
        var account = Fresh("kick");
        await (await a.Service.Post($"/api/v1/users/{a.Self}/identities", new { platform = "kick", platform_user_id = account }))
            .Data(System.Net.HttpStatusCode.Created);
        return account;
    }

    /// <summary>How to make each endpoint's request, target included. Valid in every respect but the caller's rights.</summary>
    private static readonly Dictionary<string, Func<Arrange, Task<HttpRequestMessage>>> Requests = new()
    {
        ["GET {c}"] = a => Task.FromResult(Req(HttpMethod.Get, a.C)),
        ["PATCH {c}"] = a => Task.FromResult(Req(HttpMethod.Patch, a.C, new { description = Fresh("patched") })),
        ["PUT {c}"] = a => Task.FromResult(Req(HttpMethod.Put, a.C, new { description = Fresh("put") })),
        ["DELETE {c}"] = async a =>
            Req(HttpMethod.Delete, $"/api/v1/communities/{await a.Cast.FreshCommunity(a.App, a.IsPublic)}"),
        ["POST {c}/restore"] = async a =>
        {
            var id = await a.Cast.FreshCommunity(a.App, a.IsPublic);
            await (await a.Service.DeleteAsync($"/api/v1/communities/{id}")).Data();
            return Req(HttpMethod.Post, $"/api/v1/communities/{id}/restore");
        },
        ["POST {c}/transfer-ownership"] = async a =>
            Req(HttpMethod.Post, $"/api/v1/communities/{await a.Cast.FreshCommunity(a.App, a.IsPublic)}/transfer-ownership",
                new { new_owner_id = a.Cast.Member }),
        ["GET {c}/stats"] = a => Task.FromResult(Req(HttpMethod.Get, $"{a.C}/stats")),
        ["GET {c}/platforms"] = a => Task.FromResult(Req(HttpMethod.Get, $"{a.C}/platforms")),
        ["POST {c}/platforms"] = a =>
            Task.FromResult(Req(HttpMethod.Post, $"{a.C}/platforms", new { platform = "discord", platform_community_id = Fresh("discord") })),
        ["DELETE {c}/platforms/{platform}"] = async a =>
            Req(HttpMethod.Delete, $"{a.C}/platforms/discord?platform_community_id={await FreshConnection(a)}"),
        ["GET {c}/settings"] = a => Task.FromResult(Req(HttpMethod.Get, $"{a.C}/settings")),
        ["PATCH {c}/settings"] = a => Task.FromResult(Req(HttpMethod.Patch, $"{a.C}/settings", new Dictionary<string, object> { ["command_prefix"] = "?" })),
        ["GET {c}/members"] = a => Task.FromResult(Req(HttpMethod.Get, $"{a.C}/members")),
        ["GET {c}/members/{user}"] = a => Task.FromResult(Req(HttpMethod.Get, $"{a.C}/members/{a.Cast.Bystander}")),
        ["POST {c}/members"] = async a => Req(HttpMethod.Post, $"{a.C}/members", new { hub_user_id = await a.App.HubUser() }),
        ["DELETE {c}/members/{user}"] = async a => Req(HttpMethod.Delete, $"{a.C}/members/{await FreshMember(a)}"),
        ["PUT {c}/members/{user}/role"] = async a =>
            Req(HttpMethod.Put, $"{a.C}/members/{await FreshMember(a)}/role", new { role = "moderator" }),
        ["POST {c}/members/{user}/ban"] = async a =>
            Req(HttpMethod.Post, $"{a.C}/members/{await FreshMember(a)}/ban", new { reason = "spam" }),
        ["DELETE {c}/members/{user}/ban"] = async a =>
        {
            var user = await FreshMember(a);
            await a.App.BanByService(a.Community, user);
            return Req(HttpMethod.Delete, $"{a.C}/members/{user}/ban");
        },
        ["POST {c}/members/{user}/reputation"] = a =>
            Task.FromResult(Req(HttpMethod.Post, $"{a.C}/members/{a.Cast.Bystander}/reputation", new { delta = 1, reason = "helpful" })),
        ["GET {c}/members/{user}/reputation/history"] = a =>
            Task.FromResult(Req(HttpMethod.Get, $"{a.C}/members/{a.Cast.Bystander}/reputation/history")),
        ["GET {c}/join-requests"] = a => Task.FromResult(Req(HttpMethod.Get, $"{a.C}/join-requests")),
        ["POST {c}/join-requests/{request}/approve"] = async a =>
            Req(HttpMethod.Post, $"{a.C}/join-requests/{await PendingRequest(a)}/approve"),
        ["POST {c}/join-requests/{request}/reject"] = async a =>
            Req(HttpMethod.Post, $"{a.C}/join-requests/{await PendingRequest(a)}/reject"),
        ["GET {c}/audit-log"] = a => Task.FromResult(Req(HttpMethod.Get, $"{a.C}/audit-log")),
        ["POST {c}/invites"] = a => Task.FromResult(Req(HttpMethod.Post, $"{a.C}/invites", new { max_uses = 5 })),
        ["GET {c}/invites"] = a => Task.FromResult(Req(HttpMethod.Get, $"{a.C}/invites")),
        ["DELETE {c}/invites/{code}"] = async a =>
            Req(HttpMethod.Delete, $"{a.C}/invites/{(await a.App.User(a.Cast.Moderator).Invite(a.Community)).Str("code")}"),
        ["GET /invites/{code}"] = async a =>
            Req(HttpMethod.Get, $"/api/v1/invites/{await a.App.InviteCode(await a.Cast.FreshCommunity(a.App, isPublic: false))}"),
        ["POST /invites/{code}/accept"] = async a =>
            Req(HttpMethod.Post, $"/api/v1/invites/{await a.App.InviteCode(await a.Cast.FreshCommunity(a.App, isPublic: false))}/accept"),

        // A service names the owner; a user (super admins included) becomes the owner itself.
        ["POST /communities"] = a => Task.FromResult(Req(HttpMethod.Post, "/api/v1/communities",
            a.Self == a.Cast.Bystander ? new { name = Fresh("new"), owner_id = (long?)a.Cast.Bystander } : new { name = Fresh("new"), owner_id = (long?)null })),
        ["GET /communities"] = a => Task.FromResult(Req(HttpMethod.Get, "/api/v1/communities")),
        ["POST /members/join"] = a => Task.FromResult(Req(HttpMethod.Post, "/api/v1/members/join",
            new { platform = "twitch", platform_community_id = a.Cast.PublicChannel, platform_user_id = Fresh("viewer") })),
        ["POST /members/leave"] = async a =>
        {
            var account = Fresh("viewer");
            await a.App.Join(a.Cast.PublicChannel, account);
            return Req(HttpMethod.Post, "/api/v1/members/leave",
                new { platform = "twitch", platform_community_id = a.Cast.PublicChannel, platform_user_id = account });
        },
        ["GET /lookup"] = a => Task.FromResult(Req(HttpMethod.Get,
            $"/api/v1/lookup?platform=twitch&platform_community_id={a.Cast.PublicChannel}&platform_user_id={a.Cast.BystanderAccount}")),
        ["POST /identities/resolve"] = a => Task.FromResult(Req(HttpMethod.Post, "/api/v1/identities/resolve",
            new { platform = "youtube", platform_user_id = Fresh("yt") })),
        ["GET /identities/{platform}/{account}"] = a => Task.FromResult(Req(HttpMethod.Get, $"/api/v1/identities/twitch/{a.Cast.BystanderAccount}")),
        ["POST /users"] = a => Task.FromResult(Req(HttpMethod.Post, "/api/v1/users", new { username = Fresh("hub") })),
        ["GET /users/{other}"] = a => Task.FromResult(Req(HttpMethod.Get, $"/api/v1/users/{a.Cast.Bystander}")),
        ["GET /users/{self}"] = a => Task.FromResult(Req(HttpMethod.Get, $"/api/v1/users/{a.Self}")),
        ["GET /users/{other}/communities"] = a => Task.FromResult(Req(HttpMethod.Get, $"/api/v1/users/{a.Cast.Bystander}/communities")),
        ["GET /users/{self}/communities"] = a => Task.FromResult(Req(HttpMethod.Get, $"/api/v1/users/{a.Self}/communities")),
        ["POST /users/{self}/identities"] = a => Task.FromResult(Req(HttpMethod.Post, $"/api/v1/users/{a.Self}/identities",
            new { platform = "kick", platform_user_id = Fresh("kick") })),
        ["DELETE /users/{self}/identities/{platform}/{acct}"] = async a =>
            Req(HttpMethod.Delete, $"/api/v1/users/{a.Self}/identities/kick/{await LinkedAccount(a)}"),
    };
}

public sealed class RoleMatrixTestsOnSqlite(SqliteApp app) : RoleMatrixTests(app), IClassFixture<SqliteApp>;

public sealed class RoleMatrixTestsOnPostgres(PostgresApp app) : RoleMatrixTests(app), IClassFixture<PostgresApp>;
