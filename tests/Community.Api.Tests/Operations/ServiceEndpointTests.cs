using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Community.Api.Tests.Infrastructure;

namespace Community.Api.Tests.Operations;

/// <summary>The open operational endpoints of CONTRACT §4 "Service".</summary>
public abstract partial class ServiceEndpointTests(TestApp app) : ApiTest(app)
{
    private async Task<JsonElement> GetJson(string path, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var response = await App.Anonymous().GetAsync(path, Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected} but got {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    [Fact]
    public async Task HealthSaysHealthyWithModuleVersionAndTimestamp()
    {
        var health = await GetJson("/health");
        Assert.Equal(["module", "status", "timestamp", "version"], health.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(("healthy", "community_module"), (health.Str("status"), health.Str("module")));
        Assert.Matches(@"^\d+\.\d+\.\d+", health.Str("version"));
        Assert.EndsWith("Z", health.Str("timestamp"));
    }

    [Fact]
    public async Task HealthzChecksTheDatabase()
    {
        var healthz = await GetJson("/healthz");
        Assert.Contains(healthz.Str("status"), new[] { "healthy", "degraded" });
        Assert.Equal("community_module", healthz.Str("module"));
        var checks = healthz.GetProperty("checks");
        Assert.Equal("ok", checks.Str("database"));
        Assert.Contains(checks.Str("memory"), new[] { "ok", "warning" });
        Assert.Contains(checks.Str("cpu"), new[] { "ok", "warning" });
        Assert.EndsWith("Z", healthz.Str("timestamp"));
    }

    [Fact]
    public async Task MetricsArePrometheusTextWithTheModuleInfoAndRequestCounts()
    {
        await App.Service().GetAsync("/api/v1/communities", Ct);
        var response = await App.Anonymous().GetAsync("/metrics", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.Matches("""waddlebot_info\{module="community_module",version="[^"]+"\} 1""", text);
        Assert.Contains("waddlebot_requests_total{", text);
        Assert.Contains("waddlebot_request_duration_seconds_bucket{", text);
        Assert.Contains("endpoint=\"/api/v1/communities/\"", text);
    }

    [Fact]
    public async Task StatusIsOperational()
    {
        var status = await GetJson("/api/v1/status");
        Assert.True(status.Bool("success"));
        var data = status.GetProperty("data");
        Assert.Equal(("operational", "community_module"), (data.Str("status"), data.Str("module")));
        Assert.False(string.IsNullOrEmpty(data.Str("version")));
    }

    [Fact]
    public async Task OpenApiDocumentListsTheCommunityRoutes()
    {
        var paths = (await GetJson("/openapi/v1.json")).GetProperty("paths");
        foreach (var path in new[] { "/api/v1/communities", "/api/v1/communities/{id}", "/api/v1/communities/{id}/platforms", "/api/v1/communities/{id}/settings" })
            Assert.True(paths.TryGetProperty(path, out _) || paths.TryGetProperty(path + "/", out _), $"OpenAPI lacks {path}");
    }

    [Fact]
    public async Task ReferencePageIsServedWithoutAnExternalCdn()
    {
        var client = App.Anonymous();
        var response = await client.GetAsync("/docs", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync(Ct);
        var sources = ScriptSource().Matches(html).Select(m => m.Groups["src"].Value).ToList();
        Assert.NotEmpty(sources);
        foreach (var src in sources)
        {
            Assert.DoesNotMatch("^(https?:)?//", src);
            var asset = await client.GetAsync(new Uri(response.RequestMessage!.RequestUri!, src), Ct);
            Assert.True(asset.StatusCode == HttpStatusCode.OK, $"{src} answered {(int)asset.StatusCode}");
        }
    }

    [GeneratedRegex("""<script[^>]*\ssrc\s*=\s*["'](?<src>[^"']+)["']""", RegexOptions.IgnoreCase)]
    private static partial Regex ScriptSource();
}

public sealed class ServiceEndpointTestsOnSqlite(SqliteApp app) : ServiceEndpointTests(app), IClassFixture<SqliteApp>;

public sealed class ServiceEndpointTestsOnPostgres(PostgresApp app) : ServiceEndpointTests(app), IClassFixture<PostgresApp>;

/// <summary>
/// Destroys its database, so every test builds its own app instead of sharing a class fixture.
/// </summary>
public abstract class UnreachableDatabaseTests
{
    protected abstract TestApp NewApp();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<TestApp> StartAsync()
    {
        var app = NewApp();
        await app.InitializeAsync();
        if (app.SkipReason is not null)
        {
            await app.DisposeAsync();
            Assert.Skip(app.SkipReason);
        }
        return app;
    }

    [Fact]
    public async Task HealthzTurns503UnhealthyWhenTheDatabaseIsGone()
    {
        await using var app = await StartAsync();
        Assert.Equal(HttpStatusCode.OK, (await app.Anonymous().GetAsync("/healthz", Ct)).StatusCode);

        await app.MakeDatabaseUnreachableAsync();

        var response = await app.Anonymous().GetAsync("/healthz", Ct);
        var healthz = await response.Json();
        Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"Got {(int)response.StatusCode}: {healthz}");
        Assert.Equal("unhealthy", healthz.Str("status"));
        Assert.NotEqual("ok", healthz.GetProperty("checks").Str("database"));
        Assert.Equal("healthy", (await (await app.Anonymous().GetAsync("/health", Ct)).Json()).Str("status")); // liveness is not readiness
    }

    [Fact]
    public async Task ApiCallsAnswer503ServiceUnavailableWhenTheDatabaseIsGone()
    {
        await using var app = await StartAsync();
        await app.MakeDatabaseUnreachableAsync();

        var response = await app.Service().GetAsync("/api/v1/communities", Ct);
        var problem = await response.Problem(HttpStatusCode.ServiceUnavailable, "service_unavailable");
        Assert.True(response.Headers.RetryAfter is not null);
        Assert.DoesNotContain("Sqlite", problem.GetRawText());
        Assert.DoesNotContain("Npgsql", problem.GetRawText());
    }
}

public sealed class UnreachableDatabaseTestsOnSqlite : UnreachableDatabaseTests
{
    protected override TestApp NewApp() => new SqliteApp();
}

public sealed class UnreachableDatabaseTestsOnPostgres : UnreachableDatabaseTests
{
    protected override TestApp NewApp() => new PostgresApp();
}
