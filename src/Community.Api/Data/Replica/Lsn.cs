using System.Globalization;

namespace Community.Api.Data.Replica;

/// <summary>A PostgreSQL WAL position (<c>pg_lsn</c>, written <c>16/B374D848</c>) as a number that orders like the WAL.</summary>
public static class Lsn
{
    public static ulong Parse(string text)
    {
        var slash = text.IndexOf('/');
        if (slash <= 0
            || !uint.TryParse(text.AsSpan(0, slash), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var high)
            || !uint.TryParse(text.AsSpan(slash + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var low))
            throw new FormatException($"'{text}' is not a WAL position.");
        return ((ulong)high << 32) | low;
    }

    public static string Format(ulong lsn) => $"{lsn >> 32:X}/{lsn & 0xFFFFFFFF:X}";
}
