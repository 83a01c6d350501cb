using System.Text.Json;
using System.Text.RegularExpressions;
using Community.Api.Reputation;

namespace Community.Api.Settings;

/// <summary>One community setting: its dotted key, default (as JSON), whether it is premium-only, and its rule.</summary>
public sealed record SettingDefinition(string Key, string DefaultJson, bool PremiumOnly, Func<JsonElement, string?> Validate);

/// <summary>Every setting a community has, with its default and validation. Unknown keys are refused.</summary>
public static partial class SettingDefinitions
{
    public const string WelcomeEnabled = "welcome_enabled";
    public const string WelcomeMessage = "welcome_message";
    public const string JoinMode = "join_mode";
    public const string CommandPrefix = "command_prefix";
    public const string Locale = "locale";
    public const string Timezone = "timezone";
    public const string StartingScore = "reputation.starting_score";
    public const string ReputationWeights = "reputation.weights";
    public const string AutoBanEnabled = "moderation.auto_ban_enabled";
    public const string AutoBanThreshold = "moderation.auto_ban_threshold";

    public static readonly string[] JoinModes = ["open", "approval", "invite"];

    /// <summary>In the order responses list them.</summary>
    public static readonly IReadOnlyList<SettingDefinition> All =
    [
        new(WelcomeEnabled, "true", false, Boolean),
        new(WelcomeMessage, "\"Welcome to {community}, {user}!\"", false, v => Text(v, 1, 500, allowNewlines: true)),
        new(JoinMode, "\"open\"", false, v => Text(v, 1, 16) ?? (JoinModes.Contains(v.GetString()) ? null : $"Must be one of: {string.Join(", ", JoinModes)}.")),
        new(CommandPrefix, "\"!\"", false, v => Text(v, 1, 5) ?? (v.GetString()!.Any(char.IsWhiteSpace) ? "Must not contain spaces." : null)),
        new(Locale, "\"en\"", false, v => Text(v, 2, 35) ?? (LocalePattern().IsMatch(v.GetString()!) ? null : "Must be a language tag such as en or pt-BR.")),
        new(Timezone, "\"UTC\"", false, v => Text(v, 1, 64) ?? (IsTimeZone(v.GetString()!) ? null : "Must be an IANA time zone such as UTC or Europe/Berlin.")),
        new(StartingScore, "600", false, v => Integer(v, ReputationScale.Min, ReputationScale.Max)),
        new(ReputationWeights, "{}", true, Weights),
        new(AutoBanEnabled, "false", false, Boolean),
        new(AutoBanThreshold, "450", false, v => Integer(v, ReputationScale.Min, ReputationScale.Max)),
    ];

    public static readonly IReadOnlyDictionary<string, SettingDefinition> ByKey = All.ToDictionary(d => d.Key);

    private static string? Boolean(JsonElement v) => v.ValueKind is JsonValueKind.True or JsonValueKind.False ? null : "Must be true or false.";

    private static string? Integer(JsonElement v, int min, int max) =>
        v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var n)
            ? n >= min && n <= max ? null : $"Must be between {min} and {max}."
            : "Must be an integer.";

    private static string? Text(JsonElement v, int min, int max, bool allowNewlines = false)
    {
        if (v.ValueKind != JsonValueKind.String) return "Must be a string.";
        var s = v.GetString()!;
        if (s.Length < min || s.Length > max) return $"Must be {min}–{max} characters long.";
        return s.Any(c => char.IsControl(c) && !(allowNewlines && c == '\n')) ? "Must not contain control characters." : null;
    }

    private static string? Weights(JsonElement v)
    {
        if (v.ValueKind != JsonValueKind.Object) return "Must be an object of event names to numeric weights.";
        var count = 0;
        foreach (var property in v.EnumerateObject())
        {
            if (++count > 50) return "Must have at most 50 weights.";
            if (property.Name.Length is 0 or > 64) return "Weight names must be 1–64 characters long.";
            if (property.Value.ValueKind != JsonValueKind.Number || Math.Abs(property.Value.GetDouble()) > 1000)
                return $"Weight '{property.Name}' must be a number between -1000 and 1000.";
        }
        return null;
    }

    /// <summary>
    /// The Try form, because the lookup reads files under the zoneinfo directory: an id naming a directory there
    /// ("Europe") throws a SecurityException that the Find form lets through.
    /// </summary>
    private static bool IsTimeZone(string id) => TimeZoneInfo.TryFindSystemTimeZoneById(id, out _);

    [GeneratedRegex("^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")]
    private static partial Regex LocalePattern();
}
