namespace Community.Api.Members;

/// <summary>The reputation scale: 300–850, default 600, in five named tiers.</summary>
public static class Reputation
{
    public const int Min = 300;
    public const int Max = 850;
    public const int Default = 600;

    public static int Clamp(long value) => (int)Math.Clamp(value, Min, Max);

    public static string Tier(int score) => score switch
    {
        >= 800 => "Exceptional",
        >= 740 => "Very Good",
        >= 670 => "Good",
        >= 580 => "Fair",
        _ => "Poor",
    };

    /// <summary>Tier names with their lower bounds, highest first, for statistics.</summary>
    public static readonly (string Name, int From, int To)[] Tiers =
    [
        ("Exceptional", 800, 850), ("Very Good", 740, 799), ("Good", 670, 739), ("Fair", 580, 669), ("Poor", 300, 579),
    ];
}
