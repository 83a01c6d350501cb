using System.Net;
using System.Text;
using System.Text.Json;
using Community.Api.Tests.Infrastructure;

namespace Community.Api.Tests.Http;

/// <summary>CONTRACT §2: bodies, problem details, size and type limits, correlation ids and idempotency keys.</summary>
public abstract class WireConventionTests(TestApp app) : ApiTest(app)
{
    private const string Url = "/api/v1/communities";
    private const int MiB = 1024 * 1024;

    private static string CreateBody(string name) =>
        $$$"""{"name": "{{{name}}}", "owner": {"platform": "twitch", "platform_user_id": "{{{Guid.NewGuid():N}}}"}}""";

    /// <summary>Asserts every field CONTRACT §2 promises on an error, and that trace_id is the response's correlation id.</summary>
    private static async Task<JsonElement> AssertProblemShape(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status} but got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement;
        foreach (var field in new[] { "type", "title", "detail", "code", "trace_id" })
            Assert.True(problem.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String && value.GetString()!.Length > 0,
                $"'{field}' missing or empty in {text}");
        Assert.Equal((int)status, problem.Int("status"));
        Assert.False(problem.Bool("success"));
        Assert.Equal(response.Headers.GetValues("X-Correlation-ID").Single(), problem.Str("trace_id"));
        Assert.DoesNotContain("   at ", text); // never a stack trace
        return problem;
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    [Theory]
    [InlineData("{\"name\": ")]
    [InlineData("{name: 'single quotes'}")]
    [InlineData("not json at all")]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("{\"name\": \"x\"} trailing")]
    public async Task MalformedJsonIs400(string body)
    {
        var problem = await AssertProblemShape(await App.Service().PostAsync(Url, Json(body), Ct), HttpStatusCode.BadRequest);
        Assert.Equal("validation_failed", problem.Str("code"));
    }

    [Fact]
    public async Task AFieldOfTheWrongTypeIs400NamingIt()
    {
        var body = CreateBody(Unique()).Replace("{\"name\"", "{\"is_public\": \"yes\", \"name\"");
        var response = await App.Service().PostRaw(Url, body);
        Assert.Equal(["is_public"], (await response.Problem(HttpStatusCode.BadRequest, "validation_failed")).ErrorFields());
    }

    [Fact]
    public async Task TextPlainIs415()
    {
        var response = await App.Service().PostRaw(Url, CreateBody(Unique()), "text/plain");
        var problem = await AssertProblemShape(response, HttpStatusCode.UnsupportedMediaType);
        Assert.Equal("unsupported_media_type", problem.Str("code"));
    }

    [Fact]
    public async Task OneByteOverOneMebibyteIs413()
    {
        var body = CreateBody(Unique());
        var response = await App.Service().PostRaw(Url, body.PadRight(MiB + 1));
        Assert.Equal("payload_too_large", (await AssertProblemShape(response, HttpStatusCode.RequestEntityTooLarge)).Str("code"));
    }

    [Fact]
    public async Task AnOversizedBodyWithoutContentLengthIs413Too()
    {
        var content = new UnknownLengthContent(Encoding.UTF8.GetBytes(CreateBody(Unique()).PadRight(MiB + 1)));
        var response = await App.Service().PostAsync(Url, content, Ct);
        await response.Problem(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
    }

    [Fact]
    public async Task ExactlyOneMebibyteOfJsonIsAccepted()
    {
        var name = Unique();
        var body = CreateBody(name).PadRight(MiB);
        Assert.Equal(MiB, Encoding.UTF8.GetByteCount(body));
        Assert.Equal(name, (await (await App.Service().PostRaw(Url, body)).Data(HttpStatusCode.Created)).Str("name"));
    }

    [Fact]
    public async Task UnknownJsonFieldsAreIgnored()
    {
        var name = Unique();
        var body = CreateBody(name).Replace("{\"name\"", "{\"colour\": \"blue\", \"nested\": {\"x\": [1, 2]}, \"name\"");
        var data = await (await App.Service().PostRaw(Url, body)).Data(HttpStatusCode.Created);
        Assert.Equal(name, data.Str("name"));
        Assert.False(data.TryGetProperty("colour", out _));
    }

    [Fact]
    public async Task CorrelationIdIsEchoedWhenSentAndGeneratedWhenNot()
    {
        foreach (var url in new[] { "/health", Url, $"{Url}/987654321", "/api/v1/no-such-route" })
        {
            var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Add("X-Correlation-ID", "req-42.abc");
            Assert.Equal("req-42.abc", (await App.Service().SendAsync(request, Ct)).Headers.GetValues("X-Correlation-ID").Single());

            var generated = (await App.Service().GetAsync(url, Ct)).Headers.GetValues("X-Correlation-ID").Single();
            Assert.False(string.IsNullOrWhiteSpace(generated));
            Assert.NotEqual(generated, (await App.Service().GetAsync(url, Ct)).Headers.GetValues("X-Correlation-ID").Single());
        }
        var odd = new HttpRequestMessage(HttpMethod.Get, "/health");
        odd.Headers.TryAddWithoutValidation("X-Correlation-ID", "has spaces and <tags>");
        Assert.NotEqual("has spaces and <tags>", (await App.Service().SendAsync(odd, Ct)).Headers.GetValues("X-Correlation-ID").Single());
        var unauthorized = await App.Anonymous().SendAsync(new HttpRequestMessage(HttpMethod.Get, Url) { Headers = { { "X-Correlation-ID", "anon-1" } } }, Ct);
        Assert.Equal("anon-1", (await AssertProblemShape(unauthorized, HttpStatusCode.Unauthorized)).Str("trace_id"));
    }

    [Fact]
    public async Task AnUnknownRouteIsA404Problem()
    {
        var problem = await AssertProblemShape(await App.Service().GetAsync("/api/v1/no-such-route", Ct), HttpStatusCode.NotFound);
        Assert.Equal("not_found", problem.Str("code"));
    }

    [Fact]
    public async Task EveryKindOfErrorIsAFullProblem()
    {
        var community = await App.Community();
        var url = $"{Url}/{community.Long("id")}";
        var service = App.Service();
        var cases = new (Func<Task<HttpResponseMessage>> Send, HttpStatusCode Status)[]
        {
            (() => service.PostRaw(Url, "{\"name\": \"\"}"), HttpStatusCode.BadRequest),
            (() => service.GetAsync($"{Url}?limit=abc", Ct), HttpStatusCode.BadRequest),
            (() => App.Anonymous().GetAsync(Url, Ct), HttpStatusCode.Unauthorized),
            (() => App.Service(TestKeys.NoScopes).GetAsync(Url, Ct), HttpStatusCode.Forbidden),
            (() => service.GetAsync($"{Url}/987654321", Ct), HttpStatusCode.NotFound),
            (() => service.GetAsync("/api/v1/no-such-route", Ct), HttpStatusCode.NotFound),
            (() => service.PutAsync(Url, Json("{}"), Ct), HttpStatusCode.MethodNotAllowed),
            (() => service.PostRaw(Url, CreateBody(community.Str("name"))), HttpStatusCode.Conflict),
            (() => service.Patch(url, new { description = "x" }, ifMatch: "\"stale\""), HttpStatusCode.PreconditionFailed),
            (() => service.PostRaw(Url, "{}".PadRight(MiB + 1)), HttpStatusCode.RequestEntityTooLarge),
            (() => service.PostRaw(Url, "{}", "text/plain"), HttpStatusCode.UnsupportedMediaType),
        };
        foreach (var (send, status) in cases) await AssertProblemShape(await send(), status);
    }

    [Fact]
    public async Task RepeatingAPostWithTheSameIdempotencyKeyReplaysTheFirstResponse()
    {
        var name = Unique("Idem");
        var key = Guid.NewGuid().ToString();
        var body = new { name, owner = new { platform = "twitch", platform_user_id = Unique("u") } };

        var first = await App.Service().Post(Url, body, idempotencyKey: key);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.False(first.Headers.Contains("Idempotent-Replayed"));
        var again = await App.Service().Post(Url, body, idempotencyKey: key);

        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        Assert.Equal("true", again.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(await first.Content.ReadAsStringAsync(Ct), await again.Content.ReadAsStringAsync(Ct));
        Assert.Equal(first.Headers.Location, again.Headers.Location);
        Assert.Equal(first.ETag(), again.ETag());
        Assert.Single((await (await App.Service().GetAsync($"{Url}?q={name}", Ct)).Data()).EnumerateArray());
    }

    [Fact]
    public async Task TheSameIdempotencyKeyWithAnotherBodyIs422()
    {
        var key = Guid.NewGuid().ToString();
        await (await App.Service().PostRaw(Url, CreateBody(Unique()), idempotencyKey: key)).Data(HttpStatusCode.Created);
        var other = await App.Service().PostRaw(Url, CreateBody(Unique()), idempotencyKey: key);
        await other.Problem(HttpStatusCode.UnprocessableEntity, "idempotency_key_reused");
    }

    [Fact]
    public async Task SuccessUsesTheEnvelope()
    {
        var root = await (await App.Service().GetAsync($"{Url}?limit=1", Ct)).Json();
        Assert.True(root.Bool("success"));
        Assert.Equal(JsonValueKind.Array, root.GetProperty("data").ValueKind);
        Assert.True(root.GetProperty("meta").TryGetProperty("next_cursor", out _));
        var single = await (await App.Service().GetAsync($"{Url}/{(await App.Community()).Long("id")}", Ct)).Json();
        Assert.Equal(["data", "success"], single.EnumerateObject().Select(p => p.Name).Order());
    }

    /// <summary>A body whose length is not known up front, as a chunked upload sends it.</summary>
    private sealed class UnknownLengthContent(byte[] bytes) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(bytes).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}

public sealed class WireConventionTestsOnSqlite(SqliteApp app) : WireConventionTests(app), IClassFixture<SqliteApp>;

public sealed class WireConventionTestsOnPostgres(PostgresApp app) : WireConventionTests(app), IClassFixture<PostgresApp>;
