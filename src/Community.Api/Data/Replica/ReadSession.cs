namespace Community.Api.Data.Replica;

/// <summary>One request's reads through <see cref="ReadOnlyDb"/>: who reads, and where its queries went.</summary>
internal sealed class ReadSession(string? caller, bool mayUseReplica)
{
    /// <summary>The caller's key (<c>Caller.Key</c>); its own writes decide how far the replica must have replayed.</summary>
    public string? Caller { get; } = caller;

    /// <summary>False for unsafe methods: a request that writes reads the primary, whatever it asks for.</summary>
    public bool MayUseReplica { get; set; } = mayUseReplica;

    /// <summary>How far the replica must have replayed for this caller; looked up once, at the first query.</summary>
    public ulong? Required { get; set; }

    /// <summary>Whether the connection now open is the replica's.</summary>
    public bool OnReplica { get; set; }
}
