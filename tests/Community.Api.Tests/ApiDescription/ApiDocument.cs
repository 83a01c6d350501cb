using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Community.Api.Tests.ApiDescription;

/// <summary>One operation of the served document, with the endpoint it describes.</summary>
public sealed record DocumentedOperation(string Method, string Path, JsonElement Operation)
{
    public override string ToString() => $"{Method} {Path}";
}

/// <summary>Reads the served OpenAPI document and the app's endpoints in the same terms, so tests can hold one against the other.</summary>
public static class ApiDocument
{
    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch"];

    public static IReadOnlyList<DocumentedOperation> Operations(JsonElement document) =>
        document.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Where(m => Methods.Contains(m.Name))
                .Select(m => new DocumentedOperation(m.Name.ToUpperInvariant(), path.Name, m.Value)))
            .ToList();

    /// <summary>The path a route pattern is documented under: constraints dropped, no trailing slash.</summary>
    public static string PathOf(RoutePattern pattern) =>
        "/" + string.Join('/', pattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
        {
            RoutePatternLiteralPart literal => literal.Content,
            RoutePatternParameterPart parameter => $"{{{parameter.Name}}}",
            RoutePatternSeparatorPart separator => separator.Content,
            _ => throw new InvalidOperationException($"Unexpected route part {part}"),
        }))));

    /// <summary>Every (method, endpoint) the app maps, with the documented path.</summary>
    public static IEnumerable<(string Method, string Path, RouteEndpoint Endpoint)> Mapped(EndpointDataSource source) =>
        source.Endpoints.OfType<RouteEndpoint>().SelectMany(e =>
            (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["*"]).Select(m => (m, PathOf(e.RoutePattern), e)));

    /// <summary>A reference's target: <c>{"$ref": "#/components/responses/X"}</c> → that response.</summary>
    public static JsonElement Resolve(JsonElement document, JsonElement element)
    {
        if (!element.TryGetProperty("$ref", out var reference)) return element;
        var target = document;
        foreach (var part in reference.GetString()!.TrimStart('#', '/').Split('/')) target = target.GetProperty(part);
        return target;
    }

    /// <summary>
    /// The success statuses a handler's declared return type allows: <c>Ok</c> 200, <c>Created</c> 201, <c>Accepted</c>
    /// 202, <c>NoContent</c> 204. Problems, bare status codes (304) and JSON results with a chosen status (503) are not successes here.
    /// </summary>
    public static ISet<int> SuccessesOf(MethodInfo handler)
    {
        var type = handler.ReturnType;
        if (type.IsGenericType && (type.GetGenericTypeDefinition() == typeof(Task<>) || type.GetGenericTypeDefinition() == typeof(ValueTask<>)))
            type = type.GetGenericArguments()[0];
        var results = type.IsGenericType && type.Name.StartsWith("Results`", StringComparison.Ordinal) ? type.GetGenericArguments() : [type];
        var statuses = new HashSet<int>();
        foreach (var result in results)
        {
            var definition = result.IsGenericType ? result.GetGenericTypeDefinition() : result;
            if (definition == typeof(Ok) || definition == typeof(Ok<>) || definition == typeof(Api.Http.HotOk<>)) statuses.Add(200);
            else if (definition == typeof(Created) || definition == typeof(Created<>)) statuses.Add(201);
            else if (definition == typeof(Accepted) || definition == typeof(Accepted<>)) statuses.Add(202);
            else if (definition == typeof(NoContent)) statuses.Add(204);
            else if (definition != typeof(ProblemHttpResult) && definition != typeof(StatusCodeHttpResult) && definition != typeof(JsonHttpResult<>))
                throw new InvalidOperationException($"{handler.Name} returns {result.Name}, which this test does not know; teach SuccessesOf its status.");
        }
        return statuses;
    }
}
