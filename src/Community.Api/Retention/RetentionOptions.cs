namespace Community.Api.Retention;

/// <summary>
/// The <c>Retention</c> section: how long each growing table keeps its rows. Idempotency records always live
/// <see cref="Idempotency.IdempotencyMiddleware.Lifetime"/> (24 h): that is the promise made to callers.
/// </summary>
public sealed class RetentionOptions : Hosting.ICheckedOptions
{
    public const string Section = "Retention";

    /// <summary>Whether this instance runs the background job; <c>prune</c> works either way.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Events older than this are deleted, once every active webhook subscription has passed them and no delivery still needs them.</summary>
    public int EventDays { get; set; } = 30;

    /// <summary>Delivered and failed webhook deliveries older than this (by creation) are deleted; pending ones never.</summary>
    public int DeliveryDays { get; set; } = 14;

    public int AuditDays { get; set; } = 365;

    /// <summary>Rows per delete statement: each batch holds its locks only briefly.</summary>
    public int BatchSize { get; set; } = 1000;

    /// <summary>Time between two passes of the job (each instance, with ±25 % jitter).</summary>
    public int IntervalSeconds { get; set; } = 600;

    /// <summary>Null when usable, else one sentence saying what to fix.</summary>
    public string? Problem()
    {
        if (EventDays is < 1 or > 36_500) return "Retention:EventDays must be between 1 and 36500.";
        if (DeliveryDays is < 1 or > 36_500) return "Retention:DeliveryDays must be between 1 and 36500.";
        if (AuditDays is < 1 or > 36_500) return "Retention:AuditDays must be between 1 and 36500.";
        if (BatchSize is < 1 or > 100_000) return "Retention:BatchSize must be between 1 and 100000.";
        if (IntervalSeconds is < 1 or > 86_400) return "Retention:IntervalSeconds must be between 1 and 86400.";
        return null;
    }
}
