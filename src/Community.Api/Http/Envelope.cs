using System.Text.Json.Serialization;

namespace Community.Api.Http;

/// <summary>The success body of every endpoint: <c>{"success": true, "data": …, "meta": …}</c>.</summary>
public sealed record Envelope<T>(T Data, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] PageMeta? Meta = null)
{
    [JsonPropertyOrder(-1)]
    public bool Success => true;
}

/// <summary>A success body whose <c>meta</c> has another shape than a page's (for example the event feed's position).</summary>
public sealed record Envelope<T, TMeta>(T Data, TMeta Meta)
{
    [JsonPropertyOrder(-1)]
    public bool Success => true;
}

/// <summary>List metadata. <see cref="NextCursor"/> is null on the last page.</summary>
public sealed record PageMeta(string? NextCursor, int Limit);

public static class Envelope
{
    public static Envelope<T> Of<T>(T data) => new(data);
    public static Envelope<T, TMeta> Of<T, TMeta>(T data, TMeta meta) => new(data, meta);
    public static Envelope<IReadOnlyList<T>> Page<T>(Page<T> page) => new(page.Items, new PageMeta(page.NextCursor, page.Limit));
}
