namespace Community.Api.Auth;

/// <summary>
/// Ids of communities this host has read from its database. Communities are never deleted (deactivation keeps the row),
/// so one that existed once exists for good and the set needs no invalidation; one per host, because each host has its
/// own database. Bounded: past <see cref="Capacity"/> ids it stops learning, and the rest are read as before.
/// </summary>
public sealed class KnownCommunities
{
    public const int Capacity = 1_000_000;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<long, bool> _ids = new();
    private int _count;

    public bool Contains(long id) => _ids.ContainsKey(id);

    public void Add(long id)
    {
        if (Volatile.Read(ref _count) < Capacity && _ids.TryAdd(id, true)) Interlocked.Increment(ref _count);
    }
}
