using System.Text.Json;
using System.Text.Json.Serialization;

namespace Community.Api.Http;

/// <summary>The one set of JSON rules for the wire, stored JSON and ETags: snake_case, UTC timestamps.</summary>
public static class ApiJson
{
    public static readonly JsonSerializerOptions Options = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.DictionaryKeyPolicy = null; // setting keys ("reputation.starting_score") and error fields stay as written
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        options.NumberHandling = JsonNumberHandling.Strict;
        // A field given twice is refused, not resolved "last wins": a proxy or validator that reads the first copy would
        // otherwise see another request than the service does. Covers nested objects, dictionaries and JsonElement values.
        options.AllowDuplicateProperties = false;
        return options;
    }

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);
}
