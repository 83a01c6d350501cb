using System.Text.Json.Nodes;
using Community.Api.Http;
using Community.Api.Idempotency;
using Microsoft.OpenApi;

namespace Community.Api.ApiDescription;

/// <summary>
/// The pieces every operation shares, kept once under <c>components</c> and referenced: the problem schema, one
/// example per problem code, the standard headers and the answers that do not depend on the operation.
/// </summary>
internal static class ApiComponents
{
    public const string Problem = "Problem";
    public const string ProblemMediaType = "application/problem+json";
    public const string ApiKeyScheme = "ApiKey";
    public const string BearerScheme = "Bearer";

    // Parameters (request headers).
    public const string CorrelationIdParameter = "CorrelationId";
    public const string IdempotencyKeyParameter = "IdempotencyKey";
    public const string IfMatchParameter = "IfMatch";
    public const string IfNoneMatchParameter = "IfNoneMatch";

    // Response headers.
    public const string CorrelationIdHeader = "CorrelationId";
    public const string ETagHeader = "ETag";
    public const string LocationHeader = "Location";
    public const string RetryAfterHeader = "RetryAfter";
    public const string ReplayedHeader = "IdempotentReplayed";
    public const string WwwAuthenticateHeader = "WwwAuthenticate";

    // Responses that read the same on every operation.
    public const string UnauthorizedResponse = "Unauthorized";
    public const string RateLimitedResponse = "RateLimited";
    public const string ServerErrorResponse = "ServerError";

    /// <summary>Adds what is missing; safe to call for every operation.</summary>
    public static void Ensure(OpenApiDocument document)
    {
        var components = document.Components ??= new OpenApiComponents();
        components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        if (components.SecuritySchemes.ContainsKey(ApiKeyScheme)) return;

        components.SecuritySchemes[ApiKeyScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = "X-API-Key",
            Description = "A service key (also accepted as `X-Service-Key`). Its scopes decide what it may do; each operation names the scope it needs.",
        };
        components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "A Hub user token (HS256). The user acts under its role in the community; a super admin may do everything.",
        };

        components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        components.Schemas[Problem] = ProblemSchema();

        components.Parameters ??= new Dictionary<string, IOpenApiParameter>();
        components.Parameters[CorrelationIdParameter] = HeaderParameter(CorrelationIdMiddleware.Header,
            "Ties this request's log lines and answer together; echoed back. 1–128 letters, digits and `-_.:`; anything else is replaced by a new id.", maxLength: 128);
        components.Parameters[IdempotencyKeyParameter] = HeaderParameter(IdempotencyMiddleware.Header,
            "Makes a retry safe: a repeat with the same key and body within 24 hours gets the first answer again (`Idempotent-Replayed: true`) instead of running twice; the same key with another body is 422.", maxLength: 255);
        components.Parameters[IfMatchParameter] = HeaderParameter("If-Match",
            "The `ETag` the change is based on; a stale one is 412 `precondition_failed`, so two editors cannot overwrite each other unknowingly.");
        components.Parameters[IfNoneMatchParameter] = HeaderParameter("If-None-Match",
            "The `ETag` of the copy the client already holds; when it is still current the answer is 304 with no body.");

        components.Headers ??= new Dictionary<string, IOpenApiHeader>();
        components.Headers[CorrelationIdHeader] = Header("The request's correlation id: the one sent, or a new one.");
        components.Headers[ETagHeader] = Header("A strong tag of this representation; send it as `If-Match` to change it safely, or `If-None-Match` to revalidate.");
        components.Headers[LocationHeader] = Header("Where the created resource (or the filed request) can be read.");
        components.Headers[RetryAfterHeader] = Header("Seconds to wait before retrying.", JsonSchemaType.Integer);
        components.Headers[ReplayedHeader] = Header("`true` when this is the stored answer of an earlier request with the same `Idempotency-Key`.");
        components.Headers[WwwAuthenticateHeader] = Header("The schemes that are accepted: `Bearer, ApiKey`.");

        components.Responses ??= new Dictionary<string, IOpenApiResponse>();
        components.Responses[UnauthorizedResponse] = ProblemResponse(document, "Missing or invalid credentials.", [ErrorCodes.Unauthorized],
            (WwwAuthenticateHeader, "WWW-Authenticate"));
        components.Responses[RateLimitedResponse] = ProblemResponse(document, "Too many requests.", [ErrorCodes.RateLimited],
            (RetryAfterHeader, "Retry-After"));
        components.Responses[ServerErrorResponse] = ProblemResponse(document, "The service failed (500) or its database is unreachable (503, with `Retry-After`).",
            [ErrorCodes.InternalError, ErrorCodes.ServiceUnavailable], (RetryAfterHeader, "Retry-After"));
    }

    /// <summary>A problem answer listing each code it may carry, with an example of each.</summary>
    public static OpenApiResponse ProblemResponse(OpenApiDocument document, string summary, IEnumerable<string> codes,
        params (string Component, string Name)[] headers)
    {
        var kinds = codes.Select(ProblemCatalog.Of).ToList();
        // Examples are added as they are first used, so the document holds none that nothing refers to.
        var examples = document.Components!.Examples ??= new Dictionary<string, IOpenApiExample>();
        foreach (var kind in kinds)
            examples.TryAdd(ExampleName(kind.Code), new OpenApiExample { Summary = kind.Code, Value = ProblemExample(kind) });
        var response = new OpenApiResponse
        {
            Description = summary + "\n\n" + string.Join("\n", kinds.Select(k => $"- `{k.Code}` ({k.Status}): {k.Meaning}")),
            Headers = new Dictionary<string, IOpenApiHeader> { [CorrelationIdMiddleware.Header] = new OpenApiHeaderReference(CorrelationIdHeader, document) },
            Content = new Dictionary<string, OpenApiMediaType>
            {
                [ProblemMediaType] = new()
                {
                    Schema = new OpenApiSchemaReference(Problem, document),
                    Examples = kinds.ToDictionary(k => k.Code, IOpenApiExample (k) => new OpenApiExampleReference(ExampleName(k.Code), document)),
                },
            },
        };
        foreach (var (component, name) in headers) response.Headers[name] = new OpenApiHeaderReference(component, document);
        return response;
    }

    private static string ExampleName(string code) => $"problem.{code}";

    private static OpenApiSchema ProblemSchema() => new()
    {
        Type = JsonSchemaType.Object,
        Description = "Every error (RFC 9457 problem details, `application/problem+json`). Branch on `code`, never on `title` or `detail`. " +
            "Some codes carry more fields: `required_scope`, `actor_role`/`required_role`, `keys`, `tier`/`limit`.",
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["type"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "A URN naming the problem type; one per code." },
            ["title"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "A short, fixed summary of the problem type." },
            ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Description = "The HTTP status, repeated." },
            ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "What went wrong with this request, for people." },
            ["code"] = new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                Description = "The machine-readable error code.",
                Enum = ProblemCatalog.All.Select(k => (JsonNode)JsonValue.Create(k.Code)).ToList(),
            },
            ["success"] = new OpenApiSchema { Type = JsonSchemaType.Boolean, Description = "Always `false`." },
            ["trace_id"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The request's correlation id; quote it when reporting a problem." },
            ["errors"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Description = "For `validation_failed` (and `unsupported_platform`, `invalid_cursor`): each offending field with its messages.",
                AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
            },
        },
        Required = new HashSet<string> { "type", "title", "status", "detail", "code", "success", "trace_id" },
    };

    private static JsonObject ProblemExample(ProblemKind kind)
    {
        var example = new JsonObject
        {
            ["type"] = Problems.TypeFor(kind.Code),
            ["title"] = Problems.TitleFor(kind.Code),
            ["status"] = kind.Status,
            ["detail"] = kind.Meaning.Replace("`", ""),
            ["code"] = kind.Code,
            ["success"] = false,
            ["trace_id"] = "4bf92f3577b34da6a3ce929d0e0e4736",
        };
        if (kind.Code == ErrorCodes.ValidationFailed) example["errors"] = new JsonObject { ["name"] = new JsonArray("Is required.") };
        return example;
    }

    private static OpenApiParameter HeaderParameter(string name, string description, int? maxLength = null) => new()
    {
        Name = name,
        In = ParameterLocation.Header,
        Required = false,
        Description = description,
        Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = maxLength },
    };

    private static OpenApiHeader Header(string description, JsonSchemaType type = JsonSchemaType.String) =>
        new() { Description = description, Schema = new OpenApiSchema { Type = type } };
}
