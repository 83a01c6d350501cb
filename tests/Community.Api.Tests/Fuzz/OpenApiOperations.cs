using System.Text.Json;

namespace Community.Api.Tests.Fuzz;

/// <summary>What the fuzzer knows of a JSON value's shape: its type, and for objects and arrays what they hold.</summary>
public sealed record Schema(string Type, IReadOnlyDictionary<string, Schema> Properties, Schema? Items)
{
    public static readonly Schema Any = new("any", new Dictionary<string, Schema>(), null);
}

public sealed record Parameter(string Name, string In, Schema Schema);

/// <summary>One operation of the OpenAPI document: method, path template, parameters, request body and the statuses it documents.</summary>
public sealed record Operation(string Method, string Path, IReadOnlyList<Parameter> Parameters, Schema? Body, IReadOnlySet<string> Statuses)
{
    /// <summary>Whether the document lists <paramref name="status"/> for this operation (a range such as <c>5XX</c> counts).</summary>
    public bool Documents(int status) => Statuses.Contains(status.ToString()) || Statuses.Contains($"{status / 100}XX");

    public override string ToString() => $"{Method} {Path}";
}

/// <summary>Reads the operations out of the service's own OpenAPI document, resolving schema references.</summary>
public static class OpenApiOperations
{
    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch"];

    public static IReadOnlyList<Operation> Read(JsonElement document)
    {
        var components = document.TryGetProperty("components", out var c) && c.TryGetProperty("schemas", out var s) ? s : default;
        var sharedParameters = c.ValueKind == JsonValueKind.Object && c.TryGetProperty("parameters", out var sp) ? sp : default;
        var operations = new List<Operation>();
        foreach (var path in document.GetProperty("paths").EnumerateObject())
            foreach (var method in path.Value.EnumerateObject().Where(m => Methods.Contains(m.Name)))
            {
                var parameters = method.Value.TryGetProperty("parameters", out var list)
                    ? list.EnumerateArray().Select(p => Shared(p, sharedParameters))
                        .Select(p => new Parameter(p.GetProperty("name").GetString()!, p.GetProperty("in").GetString()!,
                            p.TryGetProperty("schema", out var ps) ? Resolve(ps, components, 0) : Schema.Any)).ToList()
                    : [];
                Schema? body = null;
                if (method.Value.TryGetProperty("requestBody", out var requestBody)
                    && requestBody.GetProperty("content").TryGetProperty("application/json", out var json))
                    body = json.TryGetProperty("schema", out var bs) ? Resolve(bs, components, 0) : Schema.Any;
                var statuses = method.Value.GetProperty("responses").EnumerateObject().Select(r => r.Name).ToHashSet();
                operations.Add(new Operation(method.Name.ToUpperInvariant(), path.Name, parameters, body, statuses));
            }
        return operations;
    }

    /// <summary>A parameter itself, or the shared one (a standard header) it refers to.</summary>
    private static JsonElement Shared(JsonElement parameter, JsonElement shared) =>
        parameter.TryGetProperty("$ref", out var reference) ? shared.GetProperty(reference.GetString()!.Split('/')[^1]) : parameter;

    private static Schema Resolve(JsonElement schema, JsonElement components, int depth)
    {
        if (depth > 8) return Schema.Any;
        if (schema.TryGetProperty("$ref", out var reference))
            return Resolve(components.GetProperty(reference.GetString()!.Split('/')[^1]), components, depth + 1);
        foreach (var combinator in new[] { "oneOf", "anyOf", "allOf" })
            if (schema.TryGetProperty(combinator, out var options))
                return options.EnumerateArray().Select(o => Resolve(o, components, depth + 1)).FirstOrDefault(o => o.Type != "null") ?? Schema.Any;

        var type = "any";
        if (schema.TryGetProperty("type", out var t))
            type = t.ValueKind == JsonValueKind.Array
                ? t.EnumerateArray().Select(x => x.GetString()!).FirstOrDefault(x => x != "null") ?? "null"
                : t.GetString()!;
        var properties = schema.TryGetProperty("properties", out var props)
            ? props.EnumerateObject().ToDictionary(p => p.Name, p => Resolve(p.Value, components, depth + 1))
            : new Dictionary<string, Schema>();
        var items = schema.TryGetProperty("items", out var i) ? Resolve(i, components, depth + 1) : null;
        return new Schema(type, properties, items);
    }
}
