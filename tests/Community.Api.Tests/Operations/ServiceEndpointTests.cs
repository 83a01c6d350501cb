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
    public async Task MetricsArePrometheusTextWithEveryFleetSeries()
    {
        await App.Service().GetAsync("/api/v1/communities", Ct);
        var response = await App.Anonymous().GetAsync("/metrics", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync(Ct);
        const string m = "module=\"community_module\"";
        foreach (var series in new[]
        {
            $$"""waddlebot_info\{{{m}},version="\d+\.\d+\.\d+[^"]*"\} 1""",
            $$"""waddlebot_requests_total\{{{m}},method="GET",endpoint="/api/v1/communities/",code="200"\} [1-9]\d*""",
            $$"""waddlebot_requests_success_total\{{{m}}\} [1-9]\d*""",
            $$"""waddlebot_requests_error_total\{{{m}}\} \d+""",
            $$"""waddlebot_memory_bytes\{{{m}},type="rss"\} [1-9]\d*""",
            $$"""waddlebot_memory_bytes\{{{m}},type="vms"\} [1-9]\d*""",
            $$"""waddlebot_cpu_percent\{{{m}}\} \d+(\.\d+)?(e[-+]?\d+)?""",
            $$"""waddlebot_open_files\{{{m}}\} [1-9]\d*""",
            $$"""waddlebot_threads\{{{m}}\} [1-9]\d*""",
            $$"""waddlebot_request_duration_seconds_bucket\{{{m}},method="GET",endpoint="/api/v1/communities/",le="[^"]+"\} \d+""",
        })
            Assert.Matches(new Regex($"(?m)^{series}$"), text);
    }

    [Fact]
    public async Task ACallersOwnMethodCountsAsOtherAndMintsNoSeries()
    {
        await App.Anonymous().SendAsync(new HttpRequestMessage(new HttpMethod("BREW"), "/health"), Ct);
        var text = await App.Anonymous().GetStringAsync("/metrics", Ct);
        Assert.Matches(new Regex("""(?m)^waddlebot_requests_total\{module="community_module",method="other",endpoint="[^"]+",code="405"\} [1-9]\d*$"""), text);
        Assert.DoesNotContain("BREW", text);
    }

    [Fact]
    public async Task StatusIsExactlyTheFleetsEnvelope()
    {
        var status = await GetJson("/api/v1/status");
        Assert.Equal(["success", "data", "timestamp"], status.EnumerateObject().Select(p => p.Name));
        Assert.True(status.Bool("success"));
        var data = status.GetProperty("data");
        Assert.Equal(["status", "module", "version", "timestamp"], data.EnumerateObject().Select(p => p.Name));
        Assert.Equal(("operational", "community_module"), (data.Str("status"), data.Str("module")));
        Assert.Matches(@"^\d+\.\d+\.\d+", data.Str("version"));
        Assert.EndsWith("Z", data.Str("timestamp"));
        Assert.Equal(data.Str("timestamp"), status.Str("timestamp"));
    }

    public static TheoryData<string> Callers => ["none", "service key", "unknown key", "user token", "garbage token"];

    private HttpClient Caller(string caller)
    {
        var client = caller switch
        {
            "service key" => App.Service(),
            "unknown key" => App.Service("not-a-configured-key-000"),
            "user token" => App.User(1),
            _ => App.Anonymous(),
        };
        if (caller == "garbage token") client.DefaultRequestHeaders.Authorization = new("Bearer", "not.a.jwt");
        return client;
    }

    [Theory]
    [MemberData(nameof(Callers))]
    public async Task AnUnknownPathIs404WhateverTheCredentials(string caller)
    {
        foreach (var path in new[] { "/api/v1/nonexistent", "/no/such/thing", "/api/v1/communities/1/nonexistent" })
            await (await Caller(caller).GetAsync(path, Ct)).Problem(HttpStatusCode.NotFound, "not_found");
    }

    [Theory]
    [InlineData("DELETE", "/api/v1/status")]
    [InlineData("POST", "/health")]
    [InlineData("PUT", "/healthz")]
    [InlineData("DELETE", "/metrics")]
    [InlineData("PATCH", "/api/v1/communities")]
    public async Task AWrongMethodIs405WithoutCredentials(string method, string path)
    {
        var response = await App.Anonymous().SendAsync(new HttpRequestMessage(new HttpMethod(method), path), Ct);
        await response.Problem(HttpStatusCode.MethodNotAllowed, "method_not_allowed");
        Assert.Contains("GET", response.Content.Headers.Allow);
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
