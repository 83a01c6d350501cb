using System.Security.Cryptography;

namespace Community.Api.Invites;

/// <summary>
/// Invite codes: <see cref="Length"/> characters drawn uniformly from the 62 letters and digits of ASCII by the
/// operating system's cryptographic generator, about 71 bits: guessing one is hopeless even without the rate limit.
/// </summary>
public static class InviteCodes
{
    public const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    public const int Length = 12;

    /// <summary>The longest code a lookup considers; longer ones are refused without a query.</summary>
    public const int MaxLength = 32;

    // 62 does not divide 256: taking a byte modulo 62 would make the first 8 characters a quarter likelier than the rest.
    // Bytes from the biased tail are thrown away instead (rejection sampling); 248 = 4 × 62.
    private const int Unbiased = 256 - 256 % 62;

    public static string New()
    {
        Span<char> code = stackalloc char[Length];
        Span<byte> random = stackalloc byte[Length * 2];
        var filled = 0;
        while (filled < Length)
        {
            RandomNumberGenerator.Fill(random);
            foreach (var b in random)
            {
                if (b >= Unbiased) continue;
                code[filled++] = Alphabet[b % Alphabet.Length];
                if (filled == Length) break;
            }
        }
        return new string(code);
    }

    /// <summary>
    /// Whether <paramref name="code"/> could be a code at all. Anything else (wrong length, other characters, a NUL that
    /// PostgreSQL would refuse) is answered like an unknown code, without a query.
    /// </summary>
    public static bool IsWellFormed(string? code) =>
        code is { Length: >= 10 and <= MaxLength } && code.AsSpan().IndexOfAnyExcept(AlphabetValues) < 0;

    private static readonly System.Buffers.SearchValues<char> AlphabetValues = System.Buffers.SearchValues.Create(Alphabet);
}
