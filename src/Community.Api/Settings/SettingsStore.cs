using Community.Api.Caching;
using Community.Api.Data;
using Community.Api.Hosting;
using Microsoft.EntityFrameworkCore;

namespace Community.Api.Settings;

/// <summary>Reads a community's settings through the cache; a committed <c>settings.updated</c> drops the entry (<see cref="CacheTags.Settings"/>).</summary>
public sealed class SettingsStore(CommunityDb db, TaggedCache cache, TimeProvider clock)
{
    public async Task<EffectiveSettings> GetAsync(long communityId, CancellationToken ct) =>
        await cache.GetOrLoadAsync("settings", CacheTags.Settings(communityId), async token =>
            new Loaded<EffectiveSettings>(new EffectiveSettings(await ReadAsync(communityId, token)), [CacheTags.Settings(communityId)]), ct);

    /// <summary>The stored values, uncached: for writes that decide on them inside their transaction.</summary>
    public Task<Dictionary<string, string>> ReadAsync(long communityId, CancellationToken ct) =>
        db.Settings.AsNoTracking().Where(s => s.CommunityId == communityId).ToDictionaryAsync(s => s.Key, s => s.ValueJson, ct);

    /// <summary>Adds every default row of a new community to the unit of work ("defaults are written at creation").</summary>
    public void AddDefaults(long communityId)
    {
        var now = clock.UtcNow();
        foreach (var definition in SettingDefinitions.All)
            db.Settings.Add(new CommunitySetting { CommunityId = communityId, Key = definition.Key, ValueJson = definition.DefaultJson, UpdatedAt = now });
    }
}
