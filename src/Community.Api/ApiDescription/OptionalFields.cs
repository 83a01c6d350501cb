using Community.Api.Http;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Community.Api.ApiDescription;

/// <summary>
/// Describes <see cref="Optional{T}"/> request fields as the plain (nullable) values clients send, not as the
/// wrapper object the server uses to tell an absent field from a null one.
/// </summary>
internal sealed class OptionalFields : IOpenApiSchemaTransformer
{
    public async Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var type = context.JsonTypeInfo.Type;
        // A record's Optional<T> fields may be left out: they are never required.
        foreach (var property in context.JsonTypeInfo.Properties.Where(p => IsOptional(p.PropertyType)))
            schema.Required?.Remove(property.Name);
        if (!IsOptional(type)) return;
        var inner = await context.GetOrCreateSchemaAsync(type.GetGenericArguments()[0], null, cancellationToken);
        schema.Type = inner.Type | JsonSchemaType.Null;
        schema.Format = inner.Format;
        schema.Items = inner.Items;
        schema.Properties = inner.Properties;
        schema.Required = inner.Required;
        schema.AdditionalProperties = inner.AdditionalProperties;
    }

    private static bool IsOptional(Type type) => type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Optional<>);
}
