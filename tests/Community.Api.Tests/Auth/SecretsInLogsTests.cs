using System.Net;
using System.Net.Http.Headers;
using Community.Api.Tests.Infrastructure;

namespace Community.Api.Tests.Auth;

/// <summary>
/// Keys, tokens and platform credentials never reach the logs: not on success, not on a 4xx, not on a 5xx with its
/// exception, at no log level. One test, because it ends by taking the database away from its app.
/// </summary>
public abstract class SecretsInLogsTests(TestApp app) : ApiTest(app)
{
    [Fact]
    public async Task NoSecretAppearsInAnyLogLineWhateverTheOutcome()
    {
        var credential = $"platform-secret-{Guid.NewGuid():N}";
        var wrongKey = $"wrong-key-{Guid.NewGuid():N}";
        var userId = await App.HubUser();
        var jwt = TestKeys.UserToken(userId);
        var expiredJwt = TestKeys.UserToken(userId, lifetime: TimeSpan.FromMinutes(-5));
        var foreignJwt = TestKeys.UserToken(userId, secret: "another-secret-that-is-also-long-enough-for-hs256");
        var community = await App.CommunityOwnedBy(userId);
        var url = $"/api/v1/communities/{community}";
        var channel = Unique("chan");
        var service = App.Service(); // X-API-Key: TestKeys.Admin
        var connect = new { platform = "twitch", platform_community_id = channel, credentials = new { token = credential } };

        // Successes.
        var connected = await (await service.Post($"{url}/platforms", connect)).Data(HttpStatusCode.Created);
        Assert.True(connected.Bool("has_credentials"));
        Assert.DoesNotContain(credential, connected.GetRawText());
        await (await Bearer(jwt).GetAsync(url, Ct)).Data();
        await (await Bearer(jwt).Post($"{url}/platforms", new { platform = "discord", platform_community_id = Unique("g"), credentials = new { token = credential } }))
            .Data(HttpStatusCode.Created);

        // Refusals and bad input, each carrying a secret.
        await (await service.Post($"{url}/platforms", connect)).Problem(HttpStatusCode.Conflict, "platform_already_connected");
        await (await service.Post($"{url}/platforms", new { platform = "myspace", platform_community_id = "x", credentials = new { token = credential } }))
            .Problem(HttpStatusCode.BadRequest, "unsupported_platform");
        await (await service.PostRaw($"{url}/platforms", $$"""{"platform":"twitch","credentials":{"token":"{{credential}}" """))
            .Problem(HttpStatusCode.BadRequest, "validation_failed");
        await (await service.PostRaw($"{url}/platforms", $$$"""{"platform":"twitch","platform_community_id":{"token":"{{{credential}}}"}}"""))
            .Problem(HttpStatusCode.BadRequest, "validation_failed");
        await (await App.Service(wrongKey).GetAsync(url, Ct)).Problem(HttpStatusCode.Unauthorized, "unauthorized");
        await (await App.Service(wrongKey).Post($"{url}/platforms", connect)).Problem(HttpStatusCode.Unauthorized, "unauthorized");
        await (await Bearer(expiredJwt).GetAsync(url, Ct)).Problem(HttpStatusCode.Unauthorized, "unauthorized");
        await (await Bearer(foreignJwt).GetAsync(url, Ct)).Problem(HttpStatusCode.Unauthorized, "unauthorized");
        await (await Bearer(jwt[..^4] + "AAAA").GetAsync(url, Ct)).Problem(HttpStatusCode.Unauthorized, "unauthorized");
        await (await App.Service(TestKeys.NoScopes).Post($"{url}/platforms", connect)).Problem(HttpStatusCode.Forbidden, "forbidden");

        // Server errors: the database is gone, so every request below fails with its exception logged.
        await App.MakeDatabaseUnreachableAsync();
        var failed = await service.Post($"{url}/platforms", connect with { platform_community_id = Unique("chan") });
        Assert.True((int)failed.StatusCode >= 500, $"Expected a 5xx, got {(int)failed.StatusCode}");
        Assert.True((int)(await Bearer(jwt).GetAsync(url, Ct)).StatusCode >= 500);
        Assert.True((int)(await Bearer(jwt).Post($"{url}/platforms", connect)).StatusCode >= 500);

        var logs = App.Logs.All;
        // The capture works: every level is kept, and the failures above were logged with their exceptions.
        Assert.Contains(App.Logs.Lines, l => l.StartsWith("Trace "));
        Assert.Contains(App.Logs.Lines, l => l.StartsWith("Debug "));
        Assert.Contains("/platforms", logs);
        Assert.Contains("Exception", logs);
        var secrets = new Dictionary<string, string>
        {
            ["the API key"] = TestKeys.Admin,
            ["the scope-less API key"] = TestKeys.NoScopes,
            ["the wrong API key"] = wrongKey,
            ["the platform credential"] = credential,
            ["the JWT"] = jwt,
            ["the JWT's signature"] = jwt.Split('.')[2],
            ["the JWT's payload"] = jwt.Split('.')[1],
            ["the expired JWT's signature"] = expiredJwt.Split('.')[2],
            ["the foreign JWT's signature"] = foreignJwt.Split('.')[2],
            ["the JWT secret"] = TestKeys.JwtSecret,
            ["the encryption key"] = TestKeys.EncryptionKey,
        };
        foreach (var (what, secret) in secrets)
            Assert.False(logs.Contains(secret, StringComparison.Ordinal), $"{what} appears in the logs: {Around(logs, secret)}");
    }

    private HttpClient Bearer(string token)
    {
        var client = App.Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static string Around(string text, string secret)
    {
        var at = text.IndexOf(secret, StringComparison.Ordinal);
        return text[Math.Max(0, at - 300)..Math.Min(text.Length, at + secret.Length + 100)];
    }
}

/// <summary>Every category at Trace, so a secret written at any level is caught, not just what production's INFO keeps.</summary>
internal static class Verbose
{
    public static readonly IReadOnlyDictionary<string, string?> Settings = new Dictionary<string, string?>
    {
        ["LOG_LEVEL"] = "TRACE",
        ["Logging:LogLevel:Microsoft"] = "Trace",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace",
        ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Trace",
        ["Logging:LogLevel:Microsoft.Extensions.Caching"] = "Trace",
    };
}

public sealed class VerboseSqliteApp : SqliteApp
{
    protected internal override IReadOnlyDictionary<string, string?> Settings => Verbose.Settings;
}

public sealed class VerbosePostgresApp : PostgresApp
{
    protected internal override IReadOnlyDictionary<string, string?> Settings => Verbose.Settings;
}

public sealed class SecretsInLogsTestsOnSqlite(VerboseSqliteApp app) : SecretsInLogsTests(app), IClassFixture<VerboseSqliteApp>;

public sealed class SecretsInLogsTestsOnPostgres(VerbosePostgresApp app) : SecretsInLogsTests(app), IClassFixture<VerbosePostgresApp>;
