using System.Buffers.Text;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Community.Api.Tests.Infrastructure;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Community.Api.Tests.Auth;

/// <summary>Hub tokens (CONTRACT §3): HS256 with the configured secret, the user in <c>sub</c> or <c>userId</c>, super admins by claim.</summary>
public abstract class TokenTests(TestApp app) : ApiTest(app)
{
    [Fact]
    public async Task AValidTokenActsAsItsUser()
    {
        var userId = await App.HubUser();
        var me = await (await Send(Jwt.Make(new() { ["sub"] = userId.ToString() }), $"/api/v1/users/{userId}")).Data();
        Assert.Equal(userId, me.Long("id"));
        // The same user may not read another's record: the token named this user and no other.
        await (await Send(Jwt.Make(new() { ["sub"] = userId.ToString() }), $"/api/v1/users/{await App.HubUser()}"))
            .Problem(HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task AnExpiredTokenIs401()
    {
        var userId = await App.HubUser();
        var response = await Send(TestKeys.UserToken(userId, lifetime: TimeSpan.FromMinutes(-5)), $"/api/v1/users/{userId}");
        await response.Problem(HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
    }

    [Fact]
    public async Task ATokenSignedWithAnotherSecretIs401()
    {
        var userId = await App.HubUser();
        var token = TestKeys.UserToken(userId, secret: "another-secret-that-is-also-long-enough-for-hs256");
        await (await Send(token, $"/api/v1/users/{userId}")).Problem(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task ATamperedPayloadIs401()
    {
        var (victim, attacker) = (await App.HubUser(), await App.HubUser());
        var parts = TestKeys.UserToken(attacker).Split('.');
        var payload = JsonNode.Parse(Base64Url.DecodeFromChars(parts[1]))!;
        payload["sub"] = victim.ToString();
        var tampered = $"{parts[0]}.{Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload.ToJsonString()))}.{parts[2]}";

        await (await Send(tampered, $"/api/v1/users/{victim}")).Problem(HttpStatusCode.Unauthorized, "unauthorized");
        await (await Send(string.Join('.', parts), $"/api/v1/users/{attacker}")).Data(); // untouched, the same token works
    }

    [Fact]
    public async Task AnUnsignedAlgNoneTokenIs401()
    {
        var userId = await App.HubUser();
        var exp = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();
        static string Part(string json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json));
        var token = $"{Part("""{"alg":"none","typ":"JWT"}""")}.{Part($$"""{"sub":"{{userId}}","exp":{{exp}},"is_super_admin":true}""")}.";
        await (await Send(token, $"/api/v1/users/{userId}")).Problem(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task ATokenWithoutAUsableSubIs401()
    {
        var userId = await App.HubUser();
        await (await Send(Jwt.Make(new() { ["name"] = "nobody" }), "/api/v1/communities")).Problem(HttpStatusCode.Unauthorized, "unauthorized");
        await (await Send(Jwt.Make(new() { ["sub"] = "abc" }), "/api/v1/communities")).Problem(HttpStatusCode.Unauthorized, "unauthorized");
        await (await Send(Jwt.Make(new() { ["sub"] = "0" }), "/api/v1/communities")).Problem(HttpStatusCode.Unauthorized, "unauthorized");
        await (await Send(Jwt.Make(new() { ["sub"] = userId.ToString() }), "/api/v1/communities")).Data(); // the control
    }

    [Fact]
    public async Task TheHubsUserIdClaimIsAcceptedInsteadOfSub()
    {
        var userId = await App.HubUser();
        var token = Jwt.Make(new() { ["userId"] = userId.ToString() });
        Assert.Equal(userId, (await (await Send(token, $"/api/v1/users/{userId}")).Data()).Long("id"));
        var created = await (await Send(token, "/api/v1/communities", new { name = Unique("hub") })).Data(HttpStatusCode.Created);
        Assert.Equal(userId, created.Long("owner_id"));
    }

    [Theory]
    [InlineData("is_super_admin", true)]
    [InlineData("isSuperAdmin", true)]
    [InlineData("roles", new[] { "super_admin" })]
    [InlineData("roles", new[] { "user", "super_admin" })]
    [InlineData("roles", "super_admin")]
    public async Task SuperAdminClaimsMakeASuperAdmin(string claim, object value)
    {
        var (hidden, userId) = (await HiddenCommunity(), await App.HubUser());
        var token = Jwt.Make(new() { ["sub"] = userId.ToString(), [claim] = value });
        await (await Send(token, $"/api/v1/communities/{hidden}")).Data();
        await (await Send(token, $"/api/v1/identities/twitch/{Unique("nobody")}")).Problem(HttpStatusCode.NotFound, "identity_not_found");
    }

    [Theory]
    [InlineData("is_super_admin", false)]
    [InlineData("isSuperAdmin", false)]
    [InlineData("roles", new[] { "admin", "moderator" })]
    [InlineData("super_admin", true)]
    public async Task OtherClaimsDoNotMakeASuperAdmin(string claim, object value)
    {
        var (hidden, userId) = (await HiddenCommunity(), await App.HubUser());
        var token = Jwt.Make(new() { ["sub"] = userId.ToString(), [claim] = value });
        await (await Send(token, $"/api/v1/communities/{hidden}")).Problem(HttpStatusCode.NotFound, "community_not_found");
        await (await Send(token, $"/api/v1/identities/twitch/{Unique("nobody")}")).Problem(HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task AServiceKeysClaimsInATokenDoNotMakeAService()
    {
        // Only a configured key is a service caller, whatever claims a signed token carries.
        var userId = await App.HubUser();
        var token = Jwt.Make(new() { ["sub"] = userId.ToString(), ["caller_kind"] = "service", ["name"] = "forged", ["scope"] = "*" });
        await (await Send(token, $"/api/v1/identities/twitch/{Unique("nobody")}")).Problem(HttpStatusCode.Forbidden, "forbidden");
        var me = await (await Send(token, $"/api/v1/users/{userId}")).Data();
        Assert.Equal(userId, me.Long("id"));
    }

    /// <summary>A private community nobody but its owner belongs to: 404 to everyone else short of a super admin.</summary>
    private async Task<long> HiddenCommunity() => await App.CommunityOwnedBy(await App.HubUser(), isPublic: false);

    private Task<HttpResponseMessage> Send(string token, string url, object? body = null)
    {
        var client = App.Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return body is null ? client.GetAsync(url, Ct) : client.Post(url, body);
    }
}

/// <summary>With <c>Auth:Jwt:Issuer</c> and <c>Auth:Jwt:Audience</c> set, tokens must carry both, exactly.</summary>
public abstract class TokenIssuerAudienceTests(TestApp app) : ApiTest(app)
{
    public const string Issuer = "waddlebot-hub";
    public const string Audience = "community-module";

    [Fact]
    public async Task ATokenWithTheConfiguredIssuerAndAudienceIsAccepted()
    {
        var userId = await App.HubUser();
        await (await Send(Jwt.Make(new() { ["sub"] = userId.ToString() }, issuer: Issuer, audience: Audience), userId)).Data();
    }

    [Theory]
    [InlineData(null, Audience)]
    [InlineData("someone-else", Audience)]
    [InlineData(Issuer, null)]
    [InlineData(Issuer, "another-module")]
    public async Task AMissingOrWrongIssuerOrAudienceIs401(string? issuer, string? audience)
    {
        var userId = await App.HubUser();
        await (await Send(Jwt.Make(new() { ["sub"] = userId.ToString() }, issuer: issuer, audience: audience), userId))
            .Problem(HttpStatusCode.Unauthorized, "unauthorized");
    }

    private Task<HttpResponseMessage> Send(string token, long userId)
    {
        var client = App.Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client.GetAsync($"/api/v1/users/{userId}", Ct);
    }
}

/// <summary>Hub-style tokens with exactly the claims a test names.</summary>
internal static class Jwt
{
    public static string Make(Dictionary<string, object> claims, string secret = TestKeys.JwtSecret, string? issuer = null, string? audience = null) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Claims = claims,
            Expires = DateTime.UtcNow.AddHours(1),
            Issuer = issuer,
            Audience = audience,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(secret)), SecurityAlgorithms.HmacSha256),
        });
}

public sealed class TokenTestsOnSqlite(SqliteApp app) : TokenTests(app), IClassFixture<SqliteApp>;

public sealed class TokenTestsOnPostgres(PostgresApp app) : TokenTests(app), IClassFixture<PostgresApp>;

public sealed class IssuerAudienceSqliteApp : SqliteApp
{
    protected internal override IReadOnlyDictionary<string, string?> Settings => IssuerAudience.Settings;
}

public sealed class IssuerAudiencePostgresApp : PostgresApp
{
    protected internal override IReadOnlyDictionary<string, string?> Settings => IssuerAudience.Settings;
}

internal static class IssuerAudience
{
    public static readonly IReadOnlyDictionary<string, string?> Settings = new Dictionary<string, string?>
    {
        ["Auth:Jwt:Issuer"] = TokenIssuerAudienceTests.Issuer,
        ["Auth:Jwt:Audience"] = TokenIssuerAudienceTests.Audience,
    };
}

public sealed class TokenIssuerAudienceTestsOnSqlite(IssuerAudienceSqliteApp app) : TokenIssuerAudienceTests(app), IClassFixture<IssuerAudienceSqliteApp>;

public sealed class TokenIssuerAudienceTestsOnPostgres(IssuerAudiencePostgresApp app) : TokenIssuerAudienceTests(app), IClassFixture<IssuerAudiencePostgresApp>;
