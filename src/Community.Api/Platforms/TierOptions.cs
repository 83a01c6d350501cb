namespace Community.Api.Platforms;

/// <summary>The <c>Tiers</c> section: how many platform connections each tier may have (null: unlimited).</summary>
public sealed class TierOptions
{
    public const string Section = "Tiers";
    public TierLimits Free { get; set; } = new() { MaxPlatforms = 3 };
    public TierLimits Premium { get; set; } = new();

    public int? MaxPlatforms(string tier) => tier == Communities.Tiers.Premium ? Premium.MaxPlatforms : Free.MaxPlatforms;
}

public sealed class TierLimits
{
    public int? MaxPlatforms { get; set; }
}
