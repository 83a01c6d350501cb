using System.Net;
using Community.Api.Tests.Infrastructure;

namespace Community.Api.Tests.Http;

/// <summary>Idempotency keys live at least 24 h. This class moves its app's clock, so it shares the app with no other test.</summary>
public abstract class IdempotencyKeyLifetimeTests(TestApp app) : ApiTest(app)
{
    [Fact]
    public async Task AKeyStillReplaysAlmostADayLater()
    {
        var key = Guid.NewGuid().ToString();
        var body = new { name = Unique(), owner = new { platform = "twitch", platform_user_id = Unique("u") } };
        var first = await App.Service().Post("/api/v1/communities", body, idempotencyKey: key);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);

        App.Clock.Advance(TimeSpan.FromHours(23) + TimeSpan.FromMinutes(59));

        var again = await App.Service().Post("/api/v1/communities", body, idempotencyKey: key);
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        Assert.Equal("true", again.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(await first.Content.ReadAsStringAsync(Ct), await again.Content.ReadAsStringAsync(Ct));
        var otherCaller = await App.Service(TestKeys.ReadOnly).Post("/api/v1/communities", body, idempotencyKey: key);
        await otherCaller.Problem(HttpStatusCode.Forbidden, "forbidden"); // keys belong to their caller: no replay for another
    }
}

public sealed class IdempotencyKeyLifetimeTestsOnSqlite(SqliteApp app) : IdempotencyKeyLifetimeTests(app), IClassFixture<SqliteApp>;

public sealed class IdempotencyKeyLifetimeTestsOnPostgres(PostgresApp app) : IdempotencyKeyLifetimeTests(app), IClassFixture<PostgresApp>;
