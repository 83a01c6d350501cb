namespace Community.Api.Settings;

/// <summary>One stored setting of a community; the value is JSON so every key keeps its own type.</summary>
public class CommunitySetting
{
    public long CommunityId { get; set; }
    public required string Key { get; set; }
    public required string ValueJson { get; set; }
    public DateTime UpdatedAt { get; set; }
}
