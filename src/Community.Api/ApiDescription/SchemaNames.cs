using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Community.Api.Http;
using Microsoft.AspNetCore.OpenApi;

namespace Community.Api.ApiDescription;

/// <summary>
/// Schema names for the shapes clients see most: <c>CommunityEnvelope</c>, <c>MemberListEnvelope</c> rather than the
/// framework's <c>EnvelopeOfIReadOnlyListOfMemberResponse</c>. Generated clients name their classes after these.
/// </summary>
internal static class SchemaNames
{
    public static string? For(JsonTypeInfo info)
    {
        var type = info.Type;
        if (IsGeneric(type, typeof(Optional<>))) return null; // inlined: clients send the plain value (see OptionalFields)
        if (IsGeneric(type, typeof(Envelope<>)) || IsGeneric(type, typeof(Envelope<,>))) return Inner(type.GetGenericArguments()[0]) + "Envelope";
        if (type == typeof(JsonElement)) return "JsonValue"; // any JSON value (a setting, an audit entry's before and after)
        return OpenApiOptions.CreateDefaultSchemaReferenceId(info);
    }

    private static string Inner(Type type)
    {
        if (IsGeneric(type, typeof(IReadOnlyList<>))) return Inner(type.GetGenericArguments()[0]) + "List";
        // The settings object is the one body that is a bare map of JSON values.
        if (type == typeof(Dictionary<string, JsonElement>)) return "Settings";
        var name = type.Name;
        return name.EndsWith("Response", StringComparison.Ordinal) && name.Length > "Response".Length ? name[..^"Response".Length] : name;
    }

    private static bool IsGeneric(Type type, Type definition) => type.IsGenericType && type.GetGenericTypeDefinition() == definition;
}
