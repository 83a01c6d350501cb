namespace Community.Api.Data.Replica;

/// <summary>The <c>ReadReplica</c> section: when the replica named by <c>DATABASE_READ_URL</c> serves reads.</summary>
public sealed class ReadReplicaOptions : Hosting.ICheckedOptions
{
    public const string Section = "ReadReplica";

    /// <summary>A replica further behind the primary than this is skipped (reads go to the primary) until it catches up.</summary>
    public double MaxLagSeconds { get; set; } = 10;

    /// <summary>How often each instance measures the replica's replay position and the primary's WAL position.</summary>
    public int PollIntervalMilliseconds { get; set; } = 500;

    public TimeSpan MaxLag => TimeSpan.FromSeconds(MaxLagSeconds);

    public TimeSpan PollInterval => TimeSpan.FromMilliseconds(PollIntervalMilliseconds);

    /// <summary>
    /// How long a caller's write position must be remembered: once a write is older than this, any replica that is not
    /// skipped has replayed it (its measured lag is at most <see cref="MaxLag"/>, measured at most one poll ago, from
    /// samples taken at most one poll after the write), so the record may expire. One second more covers timer jitter.
    /// </summary>
    public TimeSpan WriteMemory => MaxLag + 2 * PollInterval + TimeSpan.FromSeconds(1);

    public string? Problem() =>
        MaxLagSeconds is <= 0 or > 3600 ? "ReadReplica:MaxLagSeconds must be between 0 and 3600."
        : PollIntervalMilliseconds is < 50 or > 60_000 ? "ReadReplica:PollIntervalMilliseconds must be between 50 and 60000."
        : null;
}
