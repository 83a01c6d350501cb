using Community.Api.Members;
namespace Community.Api.Reputation;

/// <summary>The reputation scale: 300–850, default 600, in five named tiers.</summary>
public static class ReputationScale
{
    public const int Min = 300;
    public const int Max = 850;
    public const int Default = 600;

    /// <summary>The tiers, highest first, each from its lower to its upper bound: the one definition of them.</summary>
    public static readonly (string Name, int From, int To)[] Tiers =
    [
        ("Exceptional", 800, 850), ("Very Good", 740, 799), ("Good", 670, 739), ("Fair", 580, 669), ("Poor", 300, 579),
    ];

    public static int Clamp(long value) => (int)Math.Clamp(value, Min, Max);

    public static string Tier(int score) => Tiers.First(t => score >= t.From).Name;
}
