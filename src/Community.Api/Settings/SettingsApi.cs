using Community.Api.ApiDescription;
using System.Text.Json;
using Community.Api.Auth;
using Community.Api.Caching;
using Community.Api.Communities;
using Community.Api.Data;
using Community.Api.Events;
using Community.Api.Hosting;
using Community.Api.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Community.Api.Settings;

/// <summary>A community's settings as one flat object of dotted keys, defaults merged in.</summary>
public static class SettingsApi
{
    public static RouteGroupBuilder MapSettingsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/communities/{id:long}/settings").WithTags("Settings");
        group.MapGet("/", Get).RequiresInCommunity(Permissions.ReadCommunity)
            .WithName("getSettings").WithSummary("Read a community's settings")
            .WithDescription("""
                Every setting's effective value, defaults merged in, as one flat object of dotted keys: `welcome_enabled`,
                `welcome_message`, `join_mode` (`open`, `approval`, `invite`), `command_prefix`, `locale`, `timezone`,
                `reputation.starting_score`, `reputation.weights` (premium), `moderation.auto_ban_enabled`,
                `moderation.auto_ban_threshold`.
                """)
            .WithETag(ifNoneMatch: true);
        group.MapPatch("/", Update).RequiresInCommunity(Permissions.UpdateCommunity)
            .WithName("updateSettings").WithSummary("Change a community's settings")
            .WithDescription("""
                Changes the keys given, all or nothing: each key is validated first (an unknown key or a wrong type is 400,
                naming every offending key), `null` puts a key back to its default, and premium-only keys need a premium
                community (403 `premium_required`). Answers every setting, as the GET does.
                """)
            .WithProblems(ErrorCodes.ValidationFailed, ErrorCodes.CommunityInactive, ErrorCodes.PremiumRequired)
            .Emits(EventTypes.SettingsUpdated).WithETag(ifMatch: true)
            .WithRequestExample(new Dictionary<string, object?>
            {
                ["welcome_message"] = "Hi {user}, welcome to {community}!",
                ["reputation.starting_score"] = 650,
                ["command_prefix"] = null,
            });
        return group;
    }

    private static async Task<Results<Ok<Envelope<Dictionary<string, JsonElement>>>, StatusCodeHttpResult>> Get(
        long id, SettingsStore store, HttpContext http, CancellationToken ct) =>
        ETags.WithETag(http, (await store.GetAsync(id, ct)).Values);

    /// <summary>
    /// Changes the keys given, all or nothing: every key is validated first (unknown key or wrong type: 400),
    /// <c>null</c> puts a key back to its default, and premium-only keys need a premium community.
    /// </summary>
    private static async Task<Results<Ok<Envelope<Dictionary<string, JsonElement>>>, ProblemHttpResult>> Update(
        long id, Dictionary<string, JsonElement> changes, Access access, CommunityDb db, Journal journal,
        TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        var errors = new FieldErrors();
        foreach (var (key, value) in changes)
        {
            if (!SettingDefinitions.ByKey.TryGetValue(key, out var definition))
                errors.Add(key, $"Unknown setting; known settings are {string.Join(", ", SettingDefinitions.All.Select(d => d.Key))}.");
            else if (value.ValueKind != JsonValueKind.Null && definition.Validate(value) is { } message)
                errors.Add(key, message);
        }
        if (errors.HasProblem(out var invalid)) return invalid;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // Locked first, so concurrent PATCHes run one after another and a second one with the same If-Match sees the
        // first's values: 412, not a lost update.
        if (await access.ConfirmAsync(ct) is { } refused) return refused;
        var community = access.Community!;
        if (!community.IsActive) return CommunityProblems.Inactive(id);
        var premiumKeys = changes.Where(c => c.Value.ValueKind != JsonValueKind.Null && SettingDefinitions.ByKey[c.Key].PremiumOnly).Select(c => c.Key).ToList();
        if (premiumKeys.Count > 0 && community.Tier != Tiers.Premium)
            return Problems.Forbidden(ErrorCodes.PremiumRequired, $"{string.Join(", ", premiumKeys)} need{(premiumKeys.Count == 1 ? "s" : "")} a premium community.",
                new Dictionary<string, object?> { ["keys"] = premiumKeys });
        var rows = await db.Settings.Where(s => s.CommunityId == id).ToListAsync(ct);
        var stored = rows.ToDictionary(r => r.Key, r => r.ValueJson);
        var before = new EffectiveSettings(stored);
        if (ETags.CheckIfMatch(http.Request, ETags.For(before.Values)) is { } stale) return stale;

        var now = clock.UtcNow();
        var changed = new Dictionary<string, object>();
        foreach (var (key, value) in changes)
        {
            var json = value.ValueKind == JsonValueKind.Null ? SettingDefinitions.ByKey[key].DefaultJson : value.GetRawText();
            var old = before.Values[key];
            var @new = JsonDocument.Parse(json).RootElement;
            if (JsonElement.DeepEquals(old, @new)) continue;
            var row = rows.FirstOrDefault(r => r.Key == key);
            if (row is null) db.Settings.Add(row = new CommunitySetting { CommunityId = id, Key = key, ValueJson = json });
            row.ValueJson = stored[key] = json;
            row.UpdatedAt = now;
            changed[key] = new { old, @new };
        }
        if (changed.Count == 0) return Respond(http, before.Values);

        var after = new EffectiveSettings(stored);
        journal.Record(access.Caller, EventTypes.SettingsUpdated, id, "settings", id.ToString(),
            changed.Keys.ToDictionary(k => k, k => before.Values[k]), changed.Keys.ToDictionary(k => k, k => after.Values[k]),
            new { community_id = id, changes = changed });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return Respond(http, after.Values);
    }

    private static Ok<Envelope<Dictionary<string, JsonElement>>> Respond(HttpContext http, Dictionary<string, JsonElement> settings)
    {
        http.Response.Headers.ETag = ETags.For(settings);
        return TypedResults.Ok(Envelope.Of(settings));
    }
}
