using System.Net;
using System.Reflection;
using System.Text.Json;
using Community.Api.ApiDescription;
using Community.Api.Auth;
using Community.Api.Http;
using Community.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Community.Api.Tests.ApiDescription;

/// <summary>
/// The served OpenAPI document held against the running service: every endpoint is documented (and nothing else), every
/// documented success is one its handler can return, security follows the declared permissions, and every error is a
/// problem with the shared schema and its codes. The document does not depend on the database, so SQLite is enough.
/// </summary>
public sealed class ApiDescriptionTests(SqliteApp app) : ApiTest(app), IClassFixture<SqliteApp>
{
    private async Task<JsonElement> DocumentAsync() =>
        JsonDocument.Parse(await App.Anonymous().GetStringAsync(ApiDescriptionSetup.DocumentPath, Ct)).RootElement;

    private EndpointDataSource Endpoints => App.Services.GetRequiredService<EndpointDataSource>();

    [Fact]
    public async Task EveryMappedEndpointIsDocumentedAndEveryDocumentedOperationIsMapped()
    {
        var documented = ApiDocument.Operations(await DocumentAsync()).Select(o => o.ToString()).ToHashSet();
        var mapped = ApiDocument.Mapped(Endpoints).ToList();
        var described = mapped.Where(m => m.Endpoint.Metadata.GetMetadata<IExcludeFromDescriptionMetadata>() is not { ExcludeFromDescription: true }).ToList();

        Assert.True(described.Count > 45, $"Only {described.Count} endpoints were found: the enumeration is broken.");
        var undocumented = described.Select(m => $"{m.Method} {m.Path}").Where(e => !documented.Contains(e)).ToList();
        Assert.True(undocumented.Count == 0, "Not documented: " + string.Join("; ", undocumented));
        var unmapped = documented.Where(d => !described.Any(m => $"{m.Method} {m.Path}" == d)).ToList();
        Assert.True(unmapped.Count == 0, "Documented but not mapped: " + string.Join("; ", unmapped));
        // Only the document and its reference page stay out of the description.
        Assert.All(mapped.Except(described), m => Assert.Matches("^/(openapi|docs)(/|$)", m.Path));
    }

    [Fact]
    public async Task EveryDocumentedSuccessIsOneItsHandlerCanReturnAndViceVersa()
    {
        var operations = ApiDocument.Operations(await DocumentAsync()).ToDictionary(o => o.ToString());
        var checkedHandlers = 0;
        foreach (var (method, path, endpoint) in ApiDocument.Mapped(Endpoints))
        {
            if (endpoint.Metadata.GetMetadata<MethodInfo>() is not { } handler || !operations.TryGetValue($"{method} {path}", out var operation)) continue;
            var statuses = operation.Operation.GetProperty("responses").EnumerateObject().Select(r => r.Name).ToList();
            var documented = statuses.Where(r => r.StartsWith('2')).Select(int.Parse).ToHashSet();
            Assert.True(ApiDocument.SuccessesOf(handler).SetEquals(documented),
                $"{operation} documents {string.Join(", ", documented)} but its handler returns {string.Join(", ", ApiDocument.SuccessesOf(handler))}.");
            foreach (var note in endpoint.Metadata.GetOrderedMetadata<ResponseNote>())
                Assert.True(statuses.Contains(note.StatusCode.ToString()), $"{operation} explains {note.StatusCode}, which it does not document.");
            checkedHandlers++;
        }
        Assert.True(checkedHandlers > 45, $"Only {checkedHandlers} handlers were checked.");
    }

    [Fact]
    public async Task AddingAMemberIsDocumentedAsCreatedAlreadyAMemberOrJoinRequestFiled()
    {
        var responses = (await DocumentAsync()).GetProperty("paths").GetProperty("/api/v1/communities/{id}/members").GetProperty("post").GetProperty("responses");
        Assert.Equal(["200", "201", "202"], responses.EnumerateObject().Select(r => r.Name).Where(n => n.StartsWith('2')).Order());
        Assert.Contains("join request", responses.GetProperty("202").GetProperty("description").GetString());
    }

    [Fact]
    public async Task OpenEndpointsAskForNoCredentialsAndTheOthersForTheScopesTheyDeclare()
    {
        var document = await DocumentAsync();
        var operations = ApiDocument.Operations(document).ToDictionary(o => o.ToString());
        Assert.False(document.TryGetProperty("security", out _), "Security is per operation; a document-wide requirement would apply to the open ones too.");
        foreach (var open in new[] { "GET /health", "GET /healthz", "GET /api/v1/status", "GET /metrics" })
            Assert.Equal(0, operations[open].Operation.GetProperty("security").GetArrayLength());

        foreach (var (method, path, endpoint) in ApiDocument.Mapped(Endpoints))
        {
            if (!operations.TryGetValue($"{method} {path}", out var operation)) continue;
            var security = operation.Operation.GetProperty("security").EnumerateArray().SelectMany(r => r.EnumerateObject()).ToList();
            if (endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null)
            {
                Assert.Empty(security);
                continue;
            }
            var declared = endpoint.Metadata.GetMetadata<RequiredPermission>()!;
            var scopes = security.Where(s => s.Name == "ApiKey").SelectMany(s => s.Value.EnumerateArray().Select(v => v.GetString())).Order();
            Assert.Equal(declared.OneOf.Where(p => p.Users != UserRule.UsersOnly).Select(p => p.Scope).Distinct().Order(), scopes);
            Assert.Contains(security, s => s.Name == "Bearer");
            Assert.True(operation.Operation.GetProperty("responses").TryGetProperty("401", out _), $"{operation} does not document 401.");
            Assert.Contains("**Who may call", operation.Operation.GetProperty("description").GetString());
        }
    }

    [Fact]
    public async Task EveryOperationHasAnIdASummaryADescriptionAndATag()
    {
        var operations = ApiDocument.Operations(await DocumentAsync());
        Assert.All(operations, o => Assert.False(string.IsNullOrWhiteSpace(o.Operation.GetProperty("summary").GetString()), $"{o} has no summary"));
        Assert.All(operations, o => Assert.True(o.Operation.GetProperty("description").GetString()!.Length > 60, $"{o} has no real description"));
        Assert.All(operations, o => Assert.Single(o.Operation.GetProperty("tags").EnumerateArray()));
        var ids = operations.Select(o => o.Operation.GetProperty("operationId").GetString()!).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.All(ids, id => Assert.Matches("^[a-z][A-Za-z]+$", id));
    }

    [Fact]
    public async Task EveryErrorAnswerIsAProblemWithTheSharedSchemaAndAnExampleOfEachCode()
    {
        var document = await DocumentAsync();
        var codes = document.GetProperty("components").GetProperty("schemas").GetProperty("Problem").GetProperty("properties").GetProperty("code")
            .GetProperty("enum").EnumerateArray().Select(c => c.GetString()).ToHashSet();
        var answers = 0;
        foreach (var operation in ApiDocument.Operations(document))
            foreach (var answer in operation.Operation.GetProperty("responses").EnumerateObject().Where(r => r.Name[0] is '4' or '5'))
            {
                if ($"{operation} {answer.Name}" == "GET /healthz 503") continue; // not a problem: the health report, as the fleet reads it
                var media = ApiDocument.Resolve(document, answer.Value).GetProperty("content").GetProperty("application/problem+json");
                Assert.Equal("#/components/schemas/Problem", media.GetProperty("schema").GetProperty("$ref").GetString());
                var examples = media.GetProperty("examples").EnumerateObject().ToList();
                Assert.NotEmpty(examples);
                foreach (var example in examples)
                {
                    Assert.Contains(example.Name, codes);
                    var value = ApiDocument.Resolve(document, example.Value).GetProperty("value");
                    Assert.Equal(example.Name, value.GetProperty("code").GetString());
                    var status = value.GetProperty("status").GetInt32();
                    Assert.True(answer.Name == "5XX" ? status >= 500 : status.ToString() == answer.Name, $"{operation} lists {example.Name} under {answer.Name}.");
                }
                answers++;
            }
        Assert.True(answers > 200, $"Only {answers} error answers are documented.");
    }

    [Fact]
    public void EveryErrorCodeTheServiceUsesIsExplained()
    {
        var used = typeof(ErrorCodes).GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral).Select(f => (string)f.GetValue(null)!).ToList();
        Assert.True(used.Count > 25);
        var unexplained = used.Where(code => !ProblemCatalog.ByCode.ContainsKey(code)).ToList();
        Assert.True(unexplained.Count == 0, "Codes missing from ProblemCatalog: " + string.Join(", ", unexplained));
        // The catalog's statuses agree with the codes the service gives a bare status.
        foreach (var status in new[] { 400, 401, 403, 404, 409, 412, 413, 415, 422, 429, 500, 503 })
            Assert.Equal(status, ProblemCatalog.Of(ErrorCodes.ForStatus(status)).Status);
    }

    [Fact]
    public async Task ChangesOfCommunitiesAndSettingsDocumentTheirETagsAndPreconditions()
    {
        var paths = (await DocumentAsync()).GetProperty("paths");
        foreach (var (path, method) in new[] { ("/api/v1/communities/{id}", "patch"), ("/api/v1/communities/{id}", "put"),
                     ("/api/v1/communities/{id}", "delete"), ("/api/v1/communities/{id}/settings", "patch") })
        {
            var operation = paths.GetProperty(path).GetProperty(method);
            Assert.Contains(operation.GetProperty("parameters").EnumerateArray(), p => p.TryGetProperty("$ref", out var r) && r.GetString() == "#/components/parameters/IfMatch");
            Assert.True(operation.GetProperty("responses").TryGetProperty("412", out _), $"{method} {path} does not document 412.");
            Assert.True(operation.GetProperty("responses").GetProperty("200").GetProperty("headers").TryGetProperty("ETag", out _));
        }
        foreach (var path in new[] { "/api/v1/communities/{id}", "/api/v1/communities/{id}/settings" })
            Assert.True(paths.GetProperty(path).GetProperty("get").GetProperty("responses").TryGetProperty("304", out _), $"GET {path} does not document 304.");
    }

    [Fact]
    public async Task EveryPostTakesAnIdempotencyKeyAndEveryOperationACorrelationId()
    {
        foreach (var operation in ApiDocument.Operations(await DocumentAsync()))
        {
            var parameters = operation.Operation.GetProperty("parameters").EnumerateArray()
                .Select(p => p.TryGetProperty("$ref", out var r) ? r.GetString() : null).ToList();
            Assert.Contains("#/components/parameters/CorrelationId", parameters);
            var open = operation.Operation.GetProperty("security").GetArrayLength() == 0;
            Assert.Equal(operation.Method == "POST" && !open, parameters.Contains("#/components/parameters/IdempotencyKey"));
        }
    }

    [Fact]
    public async Task MetricsAreDocumentedAsTheyAreServed()
    {
        var operation = (await DocumentAsync()).GetProperty("paths").GetProperty("/metrics").GetProperty("get");
        Assert.True(operation.GetProperty("responses").GetProperty("200").GetProperty("content").TryGetProperty("text/plain", out _));
        var response = await App.Anonymous().GetAsync("/metrics", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
    }
}
