using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;

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

    /// <summary>
    /// A page's rows and one more (to know whether another page follows), the count written into the SQL as a constant.
    /// A LIMIT sent as a parameter leaves PostgreSQL unable to price a generic plan, so it plans every execution of the
    /// prepared statement anew (half the database's time on a member page); a constant lets it settle on one plan.
    /// Each of the few limits clients use is its own prepared statement.
    /// </summary>
    public static IQueryable<T> TakePage<T>(this IQueryable<T> query, int limit) =>
        // Built by hand: EF.Constant must stand inside the expression tree, where EF reads it, not be called here.
        query.Provider.CreateQuery<T>(Expression.Call(typeof(Queryable), nameof(Queryable.Take), [typeof(T)], query.Expression,
            Expression.Call(typeof(EF), nameof(EF.Constant), [typeof(int)], Expression.Constant(limit + 1))));

    /// <summary>Builds a page from <paramref name="rows"/> fetched with <c>limit + 1</c>: the extra row only says another page exists.</summary>
    public static Page<TOut> ToPage<TRow, TOut>(List<TRow> rows, int limit, Func<TRow, string> cursorOf, Func<TRow, TOut> map)
    {
        var hasMore = rows.Count > limit;
        if (hasMore) rows.RemoveAt(rows.Count - 1);
        return new Page<TOut>(rows.Select(map).ToList(), hasMore ? cursorOf(rows[^1]) : null, limit);
    }
}

/// <summary>URL-safe base64 without padding.</summary>
public static class Base64Url
{
    public static string Encode(ReadOnlySpan<byte> bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);
    public static byte[] Decode(string text) => System.Buffers.Text.Base64Url.DecodeFromChars(text);
}
