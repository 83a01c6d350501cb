using System.Text.Json;

namespace Community.Api.Settings;

/// <summary>A community's settings with defaults merged in, as the flat dotted-key object the API returns.</summary>
public sealed class EffectiveSettings
{
    public EffectiveSettings(IReadOnlyDictionary<string, string> storedJson)
    {
        foreach (var definition in SettingDefinitions.All)
            Values[definition.Key] = JsonDocument.Parse(storedJson.GetValueOrDefault(definition.Key) ?? definition.DefaultJson).RootElement.Clone();
    }

    /// <summary>Every key in definition order, so the representation (and its ETag) is stable.</summary>
    public Dictionary<string, JsonElement> Values { get; } = new();

    public bool WelcomeEnabled => Values[SettingDefinitions.WelcomeEnabled].GetBoolean();
    public string WelcomeMessage => Values[SettingDefinitions.WelcomeMessage].GetString()!;
    public string JoinMode => Values[SettingDefinitions.JoinMode].GetString()!;
    public int StartingScore => Values[SettingDefinitions.StartingScore].GetInt32();
    public bool AutoBanEnabled => Values[SettingDefinitions.AutoBanEnabled].GetBoolean();
    public int AutoBanThreshold => Values[SettingDefinitions.AutoBanThreshold].GetInt32();

    /// <summary>The welcome message with <c>{community}</c> and <c>{user}</c> filled in.</summary>
    public string RenderWelcome(string communityName, string userName) =>
        WelcomeMessage.Replace("{community}", communityName).Replace("{user}", userName);
}
