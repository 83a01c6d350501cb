namespace Community.Api.Relay;

/// <summary>
/// The <c>Relay</c> section: the outbox relayed into the fleet's Redis Streams pipeline (README "Running in WaddleBot").
/// </summary>
public sealed class RelayOptions : Hosting.ICheckedOptions
{
    public const string Section = "Relay";

    /// <summary>The fleet's stream key prefix: a stream named <c>events:community</c> is the key <c>waddlebot:stream:events:community</c>.</summary>
    public const string StreamPrefix = "waddlebot:stream";

    /// <summary>Unset: on exactly when <c>REDIS_URL</c> is set. True without <c>REDIS_URL</c> is refused at start-up.</summary>
    public bool? Enabled { get; set; }

    /// <summary>The stream's name after the prefix.</summary>
    public string Stream { get; set; } = "events:community";

    /// <summary>The approximate <c>MAXLEN</c> of every append, as the fleet's pipeline trims: older entries make way.</summary>
    public int MaxLength { get; set; } = 10_000;

    /// <summary>Events appended in one Redis transaction (and one database transaction holding the position).</summary>
    public int BatchSize { get; set; } = 100;

    /// <summary>How often the relay looks for events when no commit on this instance woke it (another instance wrote them).</summary>
    public int PollIntervalMilliseconds { get; set; } = 1000;

    /// <summary>
    /// <c>/healthz</c> reports the relay degraded once its oldest event not yet appended is older than this. Every instance
    /// reads the one shared position, so all of them turn 503 together: keep it well above a burst's catch-up time.
    /// 0 turns the lag bound off (Redis trouble still degrades).
    /// </summary>
    public int MaxLagSeconds { get; set; } = 300;

    /// <summary>The Redis key of the stream.</summary>
    public string StreamKey => $"{StreamPrefix}:{Stream}";

    /// <summary>Null when usable, else one sentence saying what to fix.</summary>
    public string? Problem()
    {
        if (string.IsNullOrWhiteSpace(Stream) || Stream.Any(char.IsWhiteSpace) || Stream.Length > 150)
            return "Relay:Stream must be a stream name such as events:community: not empty, no spaces, at most 150 characters.";
        if (MaxLength is < 100) return "Relay:MaxLength must be at least 100.";
        if (BatchSize is < 1 or > 1000) return "Relay:BatchSize must be between 1 and 1000.";
        if (PollIntervalMilliseconds is < 10 or > 3_600_000) return "Relay:PollIntervalMilliseconds must be between 10 and 3600000.";
        if (MaxLagSeconds is < 0) return "Relay:MaxLagSeconds must be 0 (no bound) or more.";
        return null;
    }
}
