using Community.Api.Invites;

namespace Community.Api.Tests.Invites;

/// <summary>Invite codes: their shape, and that every character of the alphabet is equally likely in every position.</summary>
public sealed class InviteCodeTests
{
    [Fact]
    public void ACodeIsTwelveLettersAndDigits()
    {
        var codes = Enumerable.Range(0, 1000).Select(_ => InviteCodes.New()).ToList();
        Assert.All(codes, c => Assert.Matches("^[A-Za-z0-9]{12}$", c));
        Assert.Equal(codes.Count, codes.Distinct().Count());
        Assert.All(codes, c => Assert.True(InviteCodes.IsWellFormed(c)));
    }

    /// <summary>
    /// 240,000 characters: about 3,871 of each. Taking a random byte modulo 62 would give the first 8 characters about
    /// 21% more than that (over 13 standard deviations); a fair draw stays within 10% all but never (6 deviations).
    /// </summary>
    [Fact]
    public void EveryCharacterIsEquallyLikely()
    {
        var counts = new Dictionary<char, int>();
        for (var i = 0; i < 20_000; i++)
            foreach (var c in InviteCodes.New()) counts[c] = counts.GetValueOrDefault(c) + 1;

        Assert.Equal(InviteCodes.Alphabet.Order(), counts.Keys.Order());
        var expected = 20_000.0 * InviteCodes.Length / InviteCodes.Alphabet.Length;
        Assert.All(counts, pair => Assert.True(Math.Abs(pair.Value - expected) < expected * 0.10,
            $"'{pair.Key}' came {pair.Value} times; a fair draw gives about {expected:F0}."));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("abcdefghi")]
    [InlineData("abcdefghij-")]
    [InlineData("abcdefghijk\u0000")]
    [InlineData("abcdefghijké")]
    [InlineData("ＡＢＣＤＥＦＧＨＩＪＫ")]
    [InlineData("abcdefghijklmnopqrstuvwxyz0123456")]
    public void AnythingButLettersAndDigitsOfAPlausibleLengthIsNoCode(string? code) => Assert.False(InviteCodes.IsWellFormed(code));
}
