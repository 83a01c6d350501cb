using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Community.Api.Auth;
using Community.Api.Data;
using Community.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Community.Api.Tests.Auth;

/// <summary>CONTRACT §3 for callers: who gets 401, who gets 403, and what is open to everyone.</summary>
public abstract class ServiceKeyTests(TestApp app) : ApiTest(app)
{
    private const string C = "/api/v1/communities";

    private static readonly (string Method, string Path, string? Body)[] ReadEndpoints =
    [
        ("GET", C, null),
        ("GET", C + "/{id}", null),
        ("GET", C + "/{id}/stats", null),
        ("GET", C + "/{id}/platforms", null),
        ("GET", C + "/{id}/settings", null),
        ("GET", C + "/{id}/members", null),
    ];

    private static readonly (string Method, string Path, string? Body)[] WriteEndpoints =
    [
        ("POST", C, """{"name": "never-created", "owner": {"platform": "twitch", "platform_user_id": "nobody"}}"""),
        ("PATCH", C + "/{id}", """{"description": "changed"}"""),
        ("PUT", C + "/{id}", """{"description": "changed"}"""),
        ("DELETE", C + "/{id}", null),
        ("POST", C + "/{id}/restore", null),
        ("POST", C + "/{id}/transfer-ownership", """{"new_owner_id": 1}"""),
        ("POST", C + "/{id}/platforms", """{"platform": "twitch", "platform_community_id": "never-connected"}"""),
        ("DELETE", C + "/{id}/platforms/twitch", null),
        ("PATCH", C + "/{id}/settings", """{"locale": "de"}"""),
    ];

    private static TheoryData<string, string, string?> Rows(IEnumerable<(string, string, string?)> endpoints) => new(endpoints);

    public static TheoryData<string, string, string?> Reads => Rows(ReadEndpoints);
    public static TheoryData<string, string, string?> Writes => Rows(WriteEndpoints);
    public static TheoryData<string, string, string?> Everything => Rows(ReadEndpoints.Concat(WriteEndpoints));

    /// <summary>Sends the request against a fresh community (so a 403 or 401 is never a 404 in disguise).</summary>
    private async Task<HttpResponseMessage> Call(HttpClient client, string method, string path, string? body)
    {
        var id = (await App.Community()).Long("id");
        var request = new HttpRequestMessage(new HttpMethod(method), path.Replace("{id}", id.ToString()));
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        return await client.SendAsync(request, Ct);
    }

    private HttpClient WithHeader(string name, string value)
    {
        var client = App.Anonymous();
        client.DefaultRequestHeaders.Add(name, value);
        return client;
    }

    [Theory]
    [MemberData(nameof(Everything))]
    public async Task WithoutCredentialsIs401(string method, string path, string? body) =>
        await (await Call(App.Anonymous(), method, path, body)).Problem(HttpStatusCode.Unauthorized, "unauthorized");

    [Theory]
    [MemberData(nameof(Everything))]
    public async Task AnUnknownKeyIs401(string method, string path, string? body)
    {
        await (await Call(WithHeader("X-API-Key", "not-a-configured-key-000"), method, path, body)).Problem(HttpStatusCode.Unauthorized, "unauthorized");
        await (await Call(WithHeader("X-Service-Key", "not-a-configured-key-000"), method, path, body)).Problem(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Theory]
    [MemberData(nameof(Everything))]
    public async Task AKeyWithoutScopesIs403(string method, string path, string? body) =>
        await (await Call(App.Service(TestKeys.NoScopes), method, path, body)).Problem(HttpStatusCode.Forbidden, "forbidden");

    [Theory]
    [MemberData(nameof(Reads))]
    public async Task AReadOnlyKeyCanRead(string method, string path, string? body) =>
        await (await Call(App.Service(TestKeys.ReadOnly), method, path, body)).Data();

    [Theory]
    [MemberData(nameof(Writes))]
    public async Task AReadOnlyKeyCannotWrite(string method, string path, string? body) =>
        await (await Call(App.Service(TestKeys.ReadOnly), method, path, body)).Problem(HttpStatusCode.Forbidden, "forbidden");

    [Fact]
    public async Task RefusedWritesChangeNothing()
    {
        var community = await App.Community();
        var url = $"{C}/{community.Long("id")}";
        await (await App.Service(TestKeys.ReadOnly).DeleteAsync(url, Ct)).Problem(HttpStatusCode.Forbidden, "forbidden");
        await (await App.Service(TestKeys.NoScopes).Patch(url, new { description = "changed" })).Problem(HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal(community.GetRawText(), (await (await App.Service().GetAsync(url, Ct)).Data()).GetRawText());
    }

    /// <summary>
    /// A service's member reads skip reading a community known to exist (KnownCommunities): one that does not exist is
    /// 404 however often it is asked for, a known one is still refused to a key without the scope, and stays readable
    /// once deactivated.
    /// </summary>
    [Fact]
    public async Task MemberReadsKnowWhichCommunitiesExist()
    {
        var missing = $"{C}/{long.MaxValue - 7}";
        for (var i = 0; i < 2; i++)
        {
            await (await App.Service().GetAsync($"{missing}/members", Ct)).Problem(HttpStatusCode.NotFound, "community_not_found");
            await (await App.Service().GetAsync($"{missing}/members/1", Ct)).Problem(HttpStatusCode.NotFound, "community_not_found");
        }

        var community = await App.Community();
        var url = $"{C}/{community.Long("id")}";
        var owner = community.Long("owner_id");
        Assert.Equal(owner, (await (await App.Service().GetAsync($"{url}/members", Ct)).Data())[0].Long("hub_user_id"));
        await (await App.Service(TestKeys.NoScopes).GetAsync($"{url}/members", Ct)).Problem(HttpStatusCode.Forbidden, "forbidden");
        await (await App.Service().DeleteAsync(url, Ct)).Data();
        Assert.Equal(owner, (await (await App.Service().GetAsync($"{url}/members/{owner}", Ct)).Data()).Long("hub_user_id"));
    }

    /// <summary>A decision that skipped reading a known community still names it, so a write can confirm in it.</summary>
    [Fact]
    public async Task AnAccessDecidedWithoutReadingTheCommunityStillConfirmsInIt()
    {
        var id = (await App.Community()).Long("id");
        await using var scope = App.Services.CreateAsyncScope();
        var rules = scope.ServiceProvider.GetRequiredService<CommunityAccess>();
        var caller = new Caller(CallerKind.Service, "test", null, false, new HashSet<string> { "*" });
        await rules.DecideAsync(caller, Permissions.ReadMembers, id, rowNeeded: true, Ct); // now known to this host

        var access = (await rules.DecideAsync(caller, Permissions.ReadMembers, id, rowNeeded: false, Ct)).Access!;
        Assert.Equal((id, null), (access.CommunityId, access.Community));
        await using var tx = await scope.ServiceProvider.GetRequiredService<CommunityDb>().Database.BeginTransactionAsync(Ct);
        Assert.Null(await access.ConfirmAsync(Ct));
        Assert.Equal(id, access.Community!.Id);
    }

    [Fact]
    public async Task XServiceKeyHeaderWorksLikeXApiKey()
    {
        var data = await (await Call(WithHeader("X-Service-Key", TestKeys.Admin), "GET", C + "/{id}", null)).Data();
        Assert.True(data.Long("id") > 0);
        var created = await WithHeader("X-Service-Key", TestKeys.Admin).Post(C, new { name = Unique(), owner = new { platform = "kick", platform_user_id = Unique() } });
        await created.Data(HttpStatusCode.Created);
    }

    [Fact]
    public async Task AHubTokenSignedWithAnotherSecretOrExpiredIs401()
    {
        var forged = App.Anonymous();
        forged.DefaultRequestHeaders.Authorization = new("Bearer", TestKeys.UserToken(1, secret: "another-secret-that-is-long-enough-for-hs256"));
        await (await forged.GetAsync(C, Ct)).Problem(HttpStatusCode.Unauthorized, "unauthorized");

        var expired = App.Anonymous();
        expired.DefaultRequestHeaders.Authorization = new("Bearer", TestKeys.UserToken(1, lifetime: TimeSpan.FromMinutes(-10)));
        await (await expired.GetAsync(C, Ct)).Problem(HttpStatusCode.Unauthorized, "unauthorized");

        var garbage = App.Anonymous();
        garbage.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "not.a.jwt");
        await (await garbage.GetAsync(C, Ct)).Problem(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task AValidHubTokenCanRead() => await (await App.User(1).GetAsync(C, Ct)).Data();

    [Theory]
    [InlineData("/health")]
    [InlineData("/healthz")]
    [InlineData("/metrics")]
    [InlineData("/api/v1/status")]
    [InlineData("/openapi/v1.json")]
    [InlineData("/docs")]
    public async Task OpenEndpointsAnswerWithoutCredentials(string path)
    {
        var response = await App.Anonymous().GetAsync(path, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}

public sealed class ServiceKeyTestsOnSqlite(SqliteApp app) : ServiceKeyTests(app), IClassFixture<SqliteApp>;

public sealed class ServiceKeyTestsOnPostgres(PostgresApp app) : ServiceKeyTests(app), IClassFixture<PostgresApp>;
