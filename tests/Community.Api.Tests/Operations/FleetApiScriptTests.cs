using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Community.Api.Tests.Infrastructure;

namespace Community.Api.Tests.Operations;

/// <summary>
/// What the WaddleBot fleet's own script for this module, <c>core/community_module/test-api.sh</c>, checks — each of its
/// six cases, request for request and check for check, so that a build passing here passes the fleet's script. The
/// script sends every request with <c>Content-Type: application/json</c> and no credentials (none of its cases sets
/// <c>auth_required</c>), expects an exact status code, requires any non-empty body except the metrics to be JSON, and
/// tests fields with <c>jq -e</c> (present and neither null nor false) or the metrics text with <c>grep -q</c>.
/// </summary>
public abstract class FleetApiScriptTests(TestApp app) : ApiTest(app)
{
    /// <summary>The script's <c>make_request</c>: <c>curl -s -X METHOD URL -H "Content-Type: application/json"</c>.</summary>
    private async Task<(HttpStatusCode Status, string Body)> Curl(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, path) { Content = new ByteArrayContent([]) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Accept.ParseAdd("*/*");
        var response = await App.Anonymous().SendAsync(request, Ct);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(Ct));
    }

    /// <summary>The script's <c>run_test</c>: the exact status, then a JSON body unless empty, "null" or the metrics.</summary>
    private async Task<string> RunTest(HttpMethod method, string path, HttpStatusCode expected)
    {
        var (status, body) = await Curl(method, path);
        Assert.True(status == expected, $"{method} {path}: expected HTTP {(int)expected}, got {(int)status}: {body}");
        if (body.Length > 0 && body != "null" && path != "/metrics")
            JsonDocument.Parse(body).Dispose(); // "Invalid JSON response" when this throws
        return body;
    }

    /// <summary><c>jq -e PATH</c>: the value exists and is neither null nor false.</summary>
    private static JsonElement JqE(JsonElement root, params string[] path)
    {
        var value = root;
        foreach (var name in path)
            Assert.True(value.ValueKind == JsonValueKind.Object && value.TryGetProperty(name, out value), $"Missing '{string.Join('.', path)}' field");
        Assert.True(value.ValueKind is not (JsonValueKind.Null or JsonValueKind.False), $"'{string.Join('.', path)}' is {value.ValueKind}");
        return value;
    }

    private static string JqR(JsonElement root, params string[] path) => JqE(root, path) is var v && v.ValueKind == JsonValueKind.String
        ? v.GetString()!
        : v.GetRawText();

    [Fact]
    public async Task GetHealthPassesCheckHealthResponse()
    {
        var health = JsonDocument.Parse(await RunTest(HttpMethod.Get, "/health", HttpStatusCode.OK)).RootElement;
        Assert.Equal("healthy", JqR(health, "status"));
        JqE(health, "module");
        JqE(health, "version");
        Assert.Equal("community_module", JqR(health, "module"));
    }

    [Fact]
    public async Task GetHealthzPassesCheckHealthzResponse()
    {
        var healthz = JsonDocument.Parse(await RunTest(HttpMethod.Get, "/healthz", HttpStatusCode.OK)).RootElement;
        Assert.Contains(JqR(healthz, "status"), new[] { "healthy", "degraded" });
        JqE(healthz, "checks");
        JqE(healthz, "checks", "memory");
        JqE(healthz, "checks", "cpu");
    }

    [Fact]
    public async Task GetMetricsPassesCheckMetricsResponse()
    {
        var metrics = await RunTest(HttpMethod.Get, "/metrics", HttpStatusCode.OK);
        foreach (var grep in new[] { "waddlebot_info", "waddlebot_requests_total", "waddlebot_memory_bytes", "waddlebot_cpu_percent", "module=\"community_module\"" })
            Assert.True(metrics.Contains(grep, StringComparison.Ordinal), $"grep -q '{grep}' found nothing");
    }

    [Fact]
    public async Task GetStatusPassesCheckStatusResponse()
    {
        var status = JsonDocument.Parse(await RunTest(HttpMethod.Get, "/api/v1/status", HttpStatusCode.OK)).RootElement;
        Assert.Equal("true", JqR(status, "success"));
        JqE(status, "data");
        Assert.Equal("operational", JqR(status, "data", "status"));
        Assert.Equal("community_module", JqR(status, "data", "module"));
        JqE(status, "timestamp"); // the script reads the top-level timestamp the fleet's success_response adds
    }

    [Fact]
    public async Task GetOfANonexistentEndpointIs404() => await RunTest(HttpMethod.Get, "/api/v1/nonexistent", HttpStatusCode.NotFound);

    [Fact]
    public async Task DeleteOfTheStatusEndpointIs405() => await RunTest(HttpMethod.Delete, "/api/v1/status", HttpStatusCode.MethodNotAllowed);
}

public sealed class FleetApiScriptTestsOnSqlite(SqliteApp app) : FleetApiScriptTests(app), IClassFixture<SqliteApp>;

public sealed class FleetApiScriptTestsOnPostgres(PostgresApp app) : FleetApiScriptTests(app), IClassFixture<PostgresApp>;
