using Community.Api.Caching;
using Community.Api.Data;
using Community.Api.Hosting;
using Community.Api.Operations;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Hybrid;

namespace Community.Api.Settings;

/// <summary>Reads a community's settings through the cache; writers drop the entry with <see cref="CacheTags.Settings"/>.</summary>
public sealed class SettingsStore(CommunityDb db, HybridCache cache, TimeProvider clock)
{
    public async Task<EffectiveSettings> GetAsync(long communityId, CancellationToken ct)
    {
        var missed = false;
        var stored = await cache.GetOrCreateAsync($"settings:{communityId}", async token =>
        {
            missed = true;
            return await db.Settings.AsNoTracking().Where(s => s.CommunityId == communityId)
                .ToDictionaryAsync(s => s.Key, s => s.ValueJson, token);
        }, tags: [CacheTags.Settings(communityId)], cancellationToken: ct);
        ServiceMetrics.CacheRequests.WithLabels("settings", missed ? "miss" : "hit").Inc();
        return new EffectiveSettings(stored);
    }

    /// <summary>Adds every default row of a new community to the unit of work ("defaults are written at creation").</summary>
    public void AddDefaults(long communityId)
    {
        var now = clock.UtcNow();
        foreach (var definition in SettingDefinitions.All)
            db.Settings.Add(new CommunitySetting { CommunityId = communityId, Key = definition.Key, ValueJson = definition.DefaultJson, UpdatedAt = now });
    }
}
