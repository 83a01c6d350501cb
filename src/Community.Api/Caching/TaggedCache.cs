using System.Collections.Concurrent;
using Community.Api.Operations;
using Prometheus;

namespace Community.Api.Caching;

/// <summary>
/// What a loader read, with the tags that name everything it depends on; not kept when <paramref name="Keep"/> is false
/// (a value its reader is about to make stale).
/// </summary>
public readonly record struct Loaded<T>(T Value, IReadOnlyList<string> Tags, bool Keep = true);

/// <summary>
/// The in-process cache of routing entries and settings. Every entry carries the tags of what it was read from, and an
/// invalidation of a tag makes every entry read before it stale, exactly:
/// <list type="bullet">
/// <item>an invalidation stamps its tags with a fresh, ever-increasing sequence number;</item>
/// <item>a load notes the sequence number before it reads the database, and its entry is valid only while none of its
/// tags has a newer stamp — so a load that read just before a write committed can never outlive that write's
/// invalidation, even if it stores its entry after the invalidation ran;</item>
/// <item>while <see cref="Distrust"/> holds (this instance may be missing invalidations from others) the cache is
/// bypassed, and <see cref="Restore"/> drops everything before trusting again.</item>
/// </list>
/// Stamps older than the entry lifetime are pruned; a <c>floor</c> stamp makes every entry loaded before the pruned
/// ones stale, so pruning can only cost a reload, never serve a stale entry.
/// </summary>
public sealed class TaggedCache
{
    /// <summary>How long an entry lives without being invalidated: it only bounds memory and a missed invalidation.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(2);

    public const int MaxEntries = 200_000;

    private static readonly ConcurrentDictionary<string, (Counter.Child Hits, Counter.Child Misses)> Counters = new(StringComparer.Ordinal);

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _stamps = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<(long Stamp, long At)> _history = new();
    private readonly TimeProvider _clock;
    private long _sequence;
    private long _floor;
    private long _nextSweep;
    private volatile bool _trusted = true;

    public TaggedCache(TimeProvider clock)
    {
        _clock = clock;
        _nextSweep = clock.GetTimestamp() + Ticks(TimeSpan.FromSeconds(30));
    }

    private sealed record Entry(object? Value, IReadOnlyList<string> Tags, long Loaded, long Expires);

    /// <summary>False while this instance may be missing invalidations (see <see cref="CacheInvalidator"/>).</summary>
    public bool Trusted => _trusted;

    public int Count => _entries.Count;

    /// <summary>The cached value of <paramref name="key"/> when it is still valid; otherwise what <paramref name="load"/> reads now.</summary>
    public async ValueTask<T> GetOrLoadAsync<T>(string cache, string key, Func<CancellationToken, Task<Loaded<T>>> load, CancellationToken ct)
        where T : class?
    {
        var now = _clock.GetTimestamp();
        var (hits, misses) = CountersOf(cache);
        if (_trusted && _entries.TryGetValue(key, out var entry) && IsValid(entry, now))
        {
            hits.Inc();
            return (T)entry.Value!;
        }
        misses.Inc();
        var started = Volatile.Read(ref _sequence);
        var loaded = await load(ct);
        if (loaded.Keep && _trusted && (_entries.Count < MaxEntries || _entries.ContainsKey(key)))
            _entries[key] = new Entry(loaded.Value, loaded.Tags, started, now + Ticks(Lifetime));
        Sweep(now);
        return loaded.Value;
    }

    /// <summary>
    /// The hit and miss series of a cache (its name is a constant of the caller's), looked up once: a labelled lookup per
    /// read took a lock in prometheus-net.
    /// </summary>
    private static (Counter.Child Hits, Counter.Child Misses) CountersOf(string cache) =>
        Counters.GetOrAdd(cache, static name => (ServiceMetrics.CacheRequests.WithLabels(name, "hit"), ServiceMetrics.CacheRequests.WithLabels(name, "miss")));

    /// <summary>Makes every entry read before now that depends on any of <paramref name="tags"/> stale.</summary>
    public void Invalidate(IEnumerable<string> tags)
    {
        foreach (var tag in tags)
        {
            var stamp = Interlocked.Increment(ref _sequence);
            _stamps.AddOrUpdate(tag, stamp, (_, old) => Math.Max(old, stamp));
        }
    }

    /// <summary>Stops serving and storing entries until <see cref="Restore"/>.</summary>
    public void Distrust() => _trusted = false;

    /// <summary>Drops every entry, then serves from the cache again.</summary>
    public void Restore()
    {
        Interlocked.Exchange(ref _floor, Interlocked.Increment(ref _sequence));
        _entries.Clear();
        _trusted = true;
    }

    private bool IsValid(Entry entry, long now)
    {
        if (entry.Expires <= now || entry.Loaded < Volatile.Read(ref _floor)) return false;
        foreach (var tag in entry.Tags)
            if (_stamps.TryGetValue(tag, out var stamp) && stamp > entry.Loaded) return false;
        return true;
    }

    /// <summary>
    /// Every 30 s: drops expired entries, and forgets stamps older than an entry's lifetime after raising the floor
    /// past them (an entry that old has expired anyway).
    /// </summary>
    private void Sweep(long now)
    {
        var due = Interlocked.Read(ref _nextSweep);
        if (now < due || Interlocked.CompareExchange(ref _nextSweep, now + Ticks(TimeSpan.FromSeconds(30)), due) != due) return;

        _history.Enqueue((Volatile.Read(ref _sequence), now));
        var horizon = now - Ticks(Lifetime);
        long forget = 0;
        while (_history.TryPeek(out var sample) && sample.At <= horizon && _history.TryDequeue(out sample)) forget = sample.Stamp;
        if (forget > 0)
        {
            long floor;
            do floor = Volatile.Read(ref _floor);
            while (floor < forget && Interlocked.CompareExchange(ref _floor, forget, floor) != floor);
            foreach (var (tag, stamp) in _stamps)
                if (stamp <= forget) _stamps.TryRemove(KeyValuePair.Create(tag, stamp));
        }
        foreach (var (key, entry) in _entries)
            if (!IsValid(entry, now)) _entries.TryRemove(KeyValuePair.Create(key, entry));
    }

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * _clock.TimestampFrequency);
}
