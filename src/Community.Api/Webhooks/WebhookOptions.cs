using Community.Api.Events;
namespace Community.Api.Webhooks;

/// <summary>The <c>Webhooks</c> section (CONTRACT §1).</summary>
public sealed class WebhookOptions : Hosting.ICheckedOptions
{
    public const string Section = "Webhooks";

    /// <summary>The Standard Webhooks schedule: about three days of retries in ten attempts.</summary>
    public static readonly TimeSpan[] StandardSchedule =
    [
        TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2), TimeSpan.FromHours(5),
        TimeSpan.FromHours(10), TimeSpan.FromHours(14), TimeSpan.FromHours(20), TimeSpan.FromHours(24),
    ];

    /// <summary>Host names or IP literals that may be targeted although they are loopback or private addresses.</summary>
    public List<string> AllowedHosts { get; set; } = [];

    /// <summary>
    /// Delays between attempts; empty means <see cref="StandardSchedule"/>. (Not pre-filled: the configuration
    /// binder appends to a list instead of replacing it.)
    /// </summary>
    public List<TimeSpan> RetrySchedule { get; set; } = [];

    public int TimeoutSeconds { get; set; } = 15;
    public int PollIntervalMilliseconds { get; set; } = 1000;

    /// <summary>False on instances that should serve the API only; another instance (or a test) then runs the dispatcher.</summary>
    public bool DispatcherEnabled { get; set; } = true;

    public IReadOnlyList<TimeSpan> Schedule() => RetrySchedule.Count > 0 ? RetrySchedule : StandardSchedule;

    /// <summary>Time to record an attempt's outcome once it has one, on top of <see cref="TimeoutSeconds"/>.</summary>
    public static readonly TimeSpan LeaseMargin = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long an instance goes on sending a run of one queue's deliveries (see <see cref="DeliveryQueue.ClaimRunsAsync"/>):
    /// it starts no attempt after that, so the run's last attempt ends within the lease.
    /// </summary>
    public static readonly TimeSpan RunBudget = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long a claimed delivery, and with it its queue, stays reserved for the instance sending it: a run's budget,
    /// one attempt and the margin to record the run. No longer, because the queue waits behind it when its instance
    /// dies before recording; a record that comes later still is dropped (see <see cref="DeliveryQueue.RecordRunAsync"/>)
    /// and the deliveries are sent again.
    /// </summary>
    public TimeSpan Lease() => RunBudget + TimeSpan.FromSeconds(TimeoutSeconds) + LeaseMargin;

    /// <summary>Null when usable, else one sentence saying what to fix.</summary>
    public string? Problem()
    {
        if (TimeoutSeconds is < 1 or > 300) return "Webhooks:TimeoutSeconds must be between 1 and 300.";
        if (PollIntervalMilliseconds is < 10 or > 3_600_000) return "Webhooks:PollIntervalMilliseconds must be between 10 and 3600000.";
        if (RetrySchedule.Any(d => d <= TimeSpan.Zero)) return "Every Webhooks:RetrySchedule entry must be a positive TimeSpan, such as 00:00:05.";
        if (AllowedHosts.Any(string.IsNullOrWhiteSpace)) return "Webhooks:AllowedHosts entries must be host names or IP addresses, not empty.";
        return null;
    }
}
