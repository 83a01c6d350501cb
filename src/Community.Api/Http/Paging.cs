using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Community.Api.Http;

/// <summary>One page of a keyset-paged list.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor, int Limit);

/// <summary>Keyset paging: <c>?limit=</c> (default 50, max 200) and an opaque <c>?cursor=</c> naming the last row seen.</summary>
public static class Paging
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    public static int? ValidLimit(int? limit, FieldErrors errors)
    {
        if (limit is null) return DefaultLimit;
        if (limit is >= 1 and <= MaxLimit) return limit;
        errors.Add("limit", $"Must be between 1 and {MaxLimit}.");
        return null;
    }

    /// <summary>Builds a page from <paramref name="rows"/> fetched with <c>limit + 1</c>: the extra row only says another page exists.</summary>
    public static Page<TOut> ToPage<TRow, TOut>(List<TRow> rows, int limit, Func<TRow, string> cursorOf, Func<TRow, TOut> map)
    {
        var hasMore = rows.Count > limit;
        if (hasMore) rows.RemoveAt(rows.Count - 1);
        return new Page<TOut>(rows.Select(map).ToList(), hasMore ? cursorOf(rows[^1]) : null, limit);
    }
}

/// <summary>
/// Opaque cursors: the sort key of the last row seen, tagged with the list it belongs to so a cursor
/// from one list (or one sort order) is refused by another.
/// </summary>
public static class Cursor
{
    public static string Encode(string kind, params long[] keys) =>
        Base64Url.Encode(Encoding.UTF8.GetBytes($"{kind}|{string.Join('|', keys)}"));

    /// <summary>Decodes a cursor of <paramref name="kind"/> with <paramref name="count"/> keys; adds a field error when it is not one.</summary>
    public static long[]? Decode(string? cursor, string kind, int count, FieldErrors errors)
    {
        if (string.IsNullOrEmpty(cursor)) return [];
        try
        {
            var parts = Encoding.UTF8.GetString(Base64Url.Decode(cursor)).Split('|');
            if (parts.Length == count + 1 && parts[0] == kind)
            {
                var keys = new long[count];
                var ok = true;
                for (var i = 0; i < count; i++) ok &= long.TryParse(parts[i + 1], out keys[i]);
                if (ok) return keys;
            }
        }
        catch (FormatException)
        {
        }
        errors.Add("cursor", "Not a cursor of this list; pass meta.next_cursor from the previous page unchanged.");
        return null;
    }
}

/// <summary>URL-safe base64 without padding.</summary>
public static class Base64Url
{
    public static string Encode(ReadOnlySpan<byte> bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);
    public static byte[] Decode(string text) => System.Buffers.Text.Base64Url.DecodeFromChars(text);
}
