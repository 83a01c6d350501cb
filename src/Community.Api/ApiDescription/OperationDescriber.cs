using System.Text.Json;
using Community.Api.Auth;
using Community.Api.Http;
using Community.Api.Idempotency;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.OpenApi;

namespace Community.Api.ApiDescription;

/// <summary>An endpoint as the description sees it: method, route pattern and metadata.</summary>
internal sealed record DescribedEndpoint(string Method, RoutePattern Pattern, IReadOnlyList<object> Metadata)
{
    public T? Get<T>() where T : class => Metadata.OfType<T>().LastOrDefault();
}

/// <summary>
/// Completes each operation from its endpoint's metadata, so no route repeats what the pipeline already knows:
/// security and the 401/403/404 refusals from the declared <see cref="RequiredPermission"/>, the problems of the
/// pipeline (body limits, idempotency, rate limits, database outages), standard headers, and the route's own
/// <see cref="OperationDocs"/>: problem codes, events, examples, ETags.
/// </summary>
internal sealed class OperationDescriber : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var description = context.Description;
        var endpoint = FindEndpoint(context.ApplicationServices, description.ActionDescriptor.EndpointMetadata);
        Complete(operation, new DescribedEndpoint(description.HttpMethod!, endpoint.RoutePattern, description.ActionDescriptor.EndpointMetadata.ToList()),
            context.Document!);
        return Task.CompletedTask;
    }

    /// <summary>Everything an operation gets from its endpoint; also used for endpoints the framework does not describe (<c>/metrics</c>).</summary>
    public static void Complete(OpenApiOperation operation, DescribedEndpoint endpoint, OpenApiDocument document)
    {
        ApiComponents.Ensure(document);
        AddMissingPathParameters(operation, endpoint);
        DescribeParameters(operation);
        var permission = endpoint.Get<RequiredPermission>();
        var idempotent = permission is not null && HttpMethods.IsPost(endpoint.Method);
        var tags = endpoint.Get<EntityTagUse>();

        operation.Security = permission is null ? [] : SecurityOf(permission, document);
        operation.Parameters ??= [];
        operation.Parameters.Add(new OpenApiParameterReference(ApiComponents.CorrelationIdParameter, document));
        if (idempotent) operation.Parameters.Add(new OpenApiParameterReference(ApiComponents.IdempotencyKeyParameter, document));
        if (tags?.IfMatch == true) operation.Parameters.Add(new OpenApiParameterReference(ApiComponents.IfMatchParameter, document));
        if (tags?.IfNoneMatch == true) operation.Parameters.Add(new OpenApiParameterReference(ApiComponents.IfNoneMatchParameter, document));

        if (endpoint.Get<RequestExample>() is { } example && operation.RequestBody?.Content?.TryGetValue("application/json", out var body) == true)
            body.Example = JsonSerializer.SerializeToNode(example.Value, example.Value.GetType(), ExampleJson);

        operation.Responses ??= new OpenApiResponses();
        DescribeSuccesses(operation, endpoint, document, idempotent, tags);
        DescribeProblems(operation, ProblemsOf(operation, endpoint, permission, idempotent, tags), document);
        operation.Description = Join(operation.Description, WhoMayCall(permission), Emitted(endpoint.Get<EmittedEvents>()));
    }

    /// <summary>The wire's JSON, leaving out the fields an example does not set (a client would not send them).</summary>
    private static readonly JsonSerializerOptions ExampleJson =
        new(ApiJson.Options) { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    private static RouteEndpoint FindEndpoint(IServiceProvider services, IList<object> metadata)
    {
        // The API explorer keeps the endpoint's metadata but not its pattern (with the constraints that give path
        // parameters their types); the endpoint is the one whose method metadata is this very instance.
        var methods = metadata.OfType<HttpMethodMetadata>().Last();
        return services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .First(e => ReferenceEquals(e.Metadata.GetMetadata<HttpMethodMetadata>(), methods));
    }

    /// <summary>A route value the handler reads through its <see cref="Access"/> rather than binds is still a parameter of the path.</summary>
    private static void AddMissingPathParameters(OpenApiOperation operation, DescribedEndpoint endpoint)
    {
        operation.Parameters ??= [];
        foreach (var parameter in endpoint.Pattern.Parameters)
        {
            if (operation.Parameters.Any(p => p.In == ParameterLocation.Path && p.Name == parameter.Name)) continue;
            var isLong = endpoint.Pattern.ParameterPolicies.TryGetValue(parameter.Name, out var policies)
                && policies.Any(p => p.Content == "long");
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = parameter.Name,
                In = ParameterLocation.Path,
                Required = true,
                Schema = isLong ? new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int64" } : new OpenApiSchema { Type = JsonSchemaType.String },
            });
        }
    }

    private static readonly Dictionary<string, string> ParameterNotes = new()
    {
        ["limit"] = "Page size, 1–200 (default 50).",
        ["cursor"] = "`meta.next_cursor` of the previous page; leave it out for the first page. Opaque and signed: a changed one is 400 `invalid_cursor`.",
        ["hubUserId"] = "The member's hub user id.",
        ["platform"] = "One of twitch, youtube, discord, kick, slack.",
        ["platform_community_id"] = "The channel, server or workspace id on the platform.",
        ["platform_user_id"] = "The user's id on the platform (never its name).",
        ["platformUserId"] = "The user's id on the platform (never its name).",
    };

    private static void DescribeParameters(OpenApiOperation operation)
    {
        foreach (var parameter in operation.Parameters!.OfType<OpenApiParameter>())
            if (parameter.Description is null && parameter.Name is { } name && ParameterNotes.TryGetValue(name, out var note))
                parameter.Description = note;
    }

    /// <summary>One requirement per service scope that can open the operation, and the Hub token; users' roles are in the description.</summary>
    private static List<OpenApiSecurityRequirement> SecurityOf(RequiredPermission permission, OpenApiDocument document)
    {
        var requirements = permission.OneOf.Where(p => p.Users != UserRule.UsersOnly).Select(p => p.Scope).Distinct()
            .Select(scope => new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiComponents.ApiKeyScheme, document)] = [scope] })
            .ToList();
        requirements.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiComponents.BearerScheme, document)] = [] });
        return requirements;
    }

    private static void DescribeSuccesses(OpenApiOperation operation, DescribedEndpoint endpoint, OpenApiDocument document, bool idempotent, EntityTagUse? tags)
    {
        foreach (var (status, answer) in operation.Responses!.Where(r => r.Key.StartsWith('2')).ToList())
        {
            if (answer is not OpenApiResponse response) continue;
            var code = int.Parse(status, System.Globalization.CultureInfo.InvariantCulture);
            if (endpoint.Metadata.OfType<ResponseNote>().FirstOrDefault(n => n.StatusCode == code) is { } note) response.Description = note.Description;
            response.Headers ??= new Dictionary<string, IOpenApiHeader>();
            response.Headers[CorrelationIdMiddleware.Header] = new OpenApiHeaderReference(ApiComponents.CorrelationIdHeader, document);
            if (tags is not null && code is 200 or 201) response.Headers["ETag"] = new OpenApiHeaderReference(ApiComponents.ETagHeader, document);
            if (code is 201 or 202) response.Headers["Location"] = new OpenApiHeaderReference(ApiComponents.LocationHeader, document);
            if (idempotent) response.Headers["Idempotent-Replayed"] = new OpenApiHeaderReference(ApiComponents.ReplayedHeader, document);
        }
        if (tags?.IfNoneMatch == true)
            operation.Responses!["304"] = new OpenApiResponse
            {
                Description = "Not modified: `If-None-Match` names the current version. No body.",
                Headers = new Dictionary<string, IOpenApiHeader>
                {
                    ["ETag"] = new OpenApiHeaderReference(ApiComponents.ETagHeader, document),
                    [CorrelationIdMiddleware.Header] = new OpenApiHeaderReference(ApiComponents.CorrelationIdHeader, document),
                },
            };
    }

    /// <summary>Every problem code the operation can answer with: its own, its permission's and the pipeline's.</summary>
    private static SortedSet<string> ProblemsOf(OpenApiOperation operation, DescribedEndpoint endpoint, RequiredPermission? permission, bool idempotent, EntityTagUse? tags)
    {
        var codes = new SortedSet<string>(StringComparer.Ordinal);
        if (endpoint.Get<ProblemCodes>() is { } own) codes.UnionWith(own.Codes);
        // Problems the framework was told about (ProducesProblem) carry the code of their status.
        foreach (var (status, _) in operation.Responses!.Where(r => r.Key[0] is '4' or '5'))
            if (int.TryParse(status, out var code) && !codes.Any(c => ProblemCatalog.Of(c).Status == code)) codes.Add(ErrorCodes.ForStatus(code));
        if (permission is not null)
        {
            codes.UnionWith([ErrorCodes.Unauthorized, ErrorCodes.Forbidden, ErrorCodes.InternalError, ErrorCodes.ServiceUnavailable]);
            if (permission.Community is not null)
            {
                codes.Add(permission.RefuseAs is null ? ErrorCodes.CommunityNotFound : ErrorCodes.NotFound);
                if (permission.OneOf.Any(p => p.Users is UserRule.Member or UserRule.Moderator or UserRule.Admin or UserRule.Owner))
                    codes.Add(ErrorCodes.InsufficientRole);
            }
        }
        // The body limit holds for every request, with a body the operation reads or not.
        codes.Add(ErrorCodes.PayloadTooLarge);
        if (operation.RequestBody is not null) codes.UnionWith([ErrorCodes.ValidationFailed, ErrorCodes.UnsupportedMediaType]);
        if (operation.Parameters!.Any(p => p.In == ParameterLocation.Query)) codes.Add(ErrorCodes.ValidationFailed); // a value of the wrong type
        if (idempotent) codes.UnionWith([ErrorCodes.ValidationFailed, ErrorCodes.Conflict, ErrorCodes.IdempotencyKeyReused]);
        if (permission is not null && !HttpMethods.IsGet(endpoint.Method)) codes.Add(ErrorCodes.Conflict); // a write that raced another is rolled back
        if (tags?.IfMatch == true) codes.Add(ErrorCodes.PreconditionFailed);
        if (endpoint.Get<DisableRateLimitingAttribute>() is null) codes.Add(ErrorCodes.RateLimited);
        return codes;
    }

    private static void DescribeProblems(OpenApiOperation operation, SortedSet<string> codes, OpenApiDocument document)
    {
        var responses = operation.Responses!;
        // Problem answers the framework was told about are rebuilt with their codes; other error answers (the 503 of
        // /healthz, which carries the health report) stay as they are.
        foreach (var (status, _) in responses.Where(r => r.Key[0] is '4' or '5' && IsProblem(r.Value)).ToList()) responses.Remove(status);
        foreach (var group in codes.GroupBy(c => ProblemCatalog.Of(c).Status).OrderBy(g => g.Key))
        {
            if (responses.ContainsKey(group.Key.ToString(System.Globalization.CultureInfo.InvariantCulture))) continue;
            switch (group.Key)
            {
                case 401:
                    responses["401"] = new OpenApiResponseReference(ApiComponents.UnauthorizedResponse, document);
                    break;
                case 429:
                    responses["429"] = new OpenApiResponseReference(ApiComponents.RateLimitedResponse, document);
                    break;
                case 500 or 503:
                    responses["5XX"] = new OpenApiResponseReference(ApiComponents.ServerErrorResponse, document);
                    break;
                default:
                    responses[group.Key.ToString(System.Globalization.CultureInfo.InvariantCulture)] =
                        ApiComponents.ProblemResponse(document, StatusSummary(group.Key), group);
                    break;
            }
        }
    }

    private static bool IsProblem(IOpenApiResponse response) =>
        response.Content is not { Count: > 0 } content || content.ContainsKey(ApiComponents.ProblemMediaType);

    private static string StatusSummary(int status) => status switch
    {
        400 => "The request is invalid.",
        403 => "The caller may not do this.",
        404 => "Something the request names does not exist (or is not visible to the caller).",
        409 => "The request conflicts with the current state.",
        412 => "The resource changed since it was read.",
        413 => "The body is too large.",
        415 => "The body is not JSON.",
        422 => "The idempotency key was used for another request.",
        _ => "The request failed.",
    };

    private static string? WhoMayCall(RequiredPermission? permission)
    {
        if (permission is null) return "**Who may call:** anyone; no credentials needed.";
        var ways = permission.OneOf.Select(p => p.Users switch
        {
            UserRule.ServiceOnly => $"a service key with `{p.Scope}`",
            UserRule.UsersOnly => "any signed-in user, for itself (no service key, whatever its scopes)",
            var users => $"a service key with `{p.Scope}`, or {Users(users)}",
        }).Distinct().ToList();
        return ways.Count == 1
            ? $"**Who may call:** {ways[0]}; super admins always."
            : "**Who may call** (the request decides which applies):\n" + string.Join("\n", ways.Select(w => $"- {w}")) + "\n- super admins always.";
    }

    private static string Users(UserRule rule) => rule switch
    {
        UserRule.SignedIn => "any signed-in user",
        UserRule.Member => "a member of the community",
        UserRule.Moderator => "a moderator, admin or the owner of the community",
        UserRule.Admin => "an admin or the owner of the community",
        UserRule.Owner => "the owner of the community",
        _ => throw new ArgumentOutOfRangeException(nameof(rule), rule, "A user rule the description does not know."),
    };

    private static string? Emitted(EmittedEvents? events) =>
        events is null ? null : $"**Emits:** {string.Join(", ", events.Types.Select(t => $"`{t}`"))}.";

    private static string? Join(params string?[] parts)
    {
        var present = parts.Where(p => !string.IsNullOrWhiteSpace(p)).ToList();
        return present.Count == 0 ? null : string.Join("\n\n", present);
    }
}
