using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Community.Api.Http;

/// <summary>The range a cursor key may take; a cursor holding a value outside it is refused before any query runs.</summary>
public readonly record struct CursorKey(long Min, long Max)
{
    /// <summary>A row id (ids start at 1).</summary>
    public static readonly CursorKey Id = new(1, long.MaxValue);

    /// <summary>The <see cref="DateTime.Ticks"/> of a timestamp.</summary>
    public static readonly CursorKey Ticks = new(DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks);
}

/// <summary>
/// Opaque, tamper-evident cursors: the sort keys of the last row seen, sealed with an HMAC over the keys and the
/// list they belong to (kind and parent, e.g. <c>members-joined/7</c>), so a client can neither craft a seek nor carry
/// a cursor from one list to another. The key is derived from <c>ENCRYPTION_KEY</c>, so every instance of a
/// deployment accepts every other's cursors; rotating that key invalidates outstanding cursors (400 <c>invalid_cursor</c>:
/// the client starts again from page 1).
/// </summary>
public sealed class Cursors(byte[] key)
{
    private const int TagSize = 16;
    private const int MaxKeys = 4;
    private const int MaxLength = (MaxKeys * sizeof(long) + TagSize + 2) / 3 * 4;

    public string Encode(string list, params long[] keys)
    {
        var bytes = new byte[keys.Length * sizeof(long) + TagSize];
        for (var i = 0; i < keys.Length; i++) BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(i * sizeof(long)), keys[i]);
        var payload = bytes.AsSpan(0, keys.Length * sizeof(long));
        Tag(list, payload).CopyTo(bytes.AsSpan(payload.Length));
        return Base64Url.Encode(bytes);
    }

    /// <summary>
    /// The keys of a cursor that this deployment issued for <paramref name="list"/>, each within its <paramref name="ranges"/>;
    /// an empty array when there is no cursor; null, with an <c>invalid_cursor</c> error added, for anything else.
    /// </summary>
    public long[]? Decode(string? cursor, string list, FieldErrors errors, params CursorKey[] ranges)
    {
        if (string.IsNullOrEmpty(cursor)) return [];
        var keys = Open(cursor, list, ranges);
        if (keys is null)
            errors.Add("cursor", "Not a cursor of this list (or one issued before a key rotation): pass meta.next_cursor from the previous page unchanged.",
                ErrorCodes.InvalidCursor, "The cursor is not one this list issued; start again from the first page.");
        return keys;
    }

    private long[]? Open(string cursor, string list, CursorKey[] ranges)
    {
        if (cursor.Length > MaxLength || !System.Buffers.Text.Base64Url.IsValid(cursor, out var length)) return null;
        if (length != ranges.Length * sizeof(long) + TagSize) return null;
        Span<byte> bytes = stackalloc byte[length];
        System.Buffers.Text.Base64Url.DecodeFromChars(cursor, bytes);
        var payload = bytes[..(length - TagSize)];
        if (!CryptographicOperations.FixedTimeEquals(Tag(list, payload), bytes.Slice(length - TagSize, TagSize))) return null;
        var keys = new long[ranges.Length];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = BinaryPrimitives.ReadInt64BigEndian(payload[(i * sizeof(long))..]);
            if (keys[i] < ranges[i].Min || keys[i] > ranges[i].Max) return null;
        }
        return keys;
    }

    private byte[] Tag(string list, ReadOnlySpan<byte> payload)
    {
        // The list name is part of what is signed, not of the cursor: a cursor of another list fails the check.
        var name = Encoding.UTF8.GetBytes(list + "\0");
        var signed = new byte[name.Length + payload.Length];
        name.CopyTo(signed, 0);
        payload.CopyTo(signed.AsSpan(name.Length));
        return HMACSHA256.HashData(key, signed)[..TagSize];
    }
}
