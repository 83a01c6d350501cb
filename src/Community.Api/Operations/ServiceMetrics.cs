using Prometheus;

namespace Community.Api.Operations;

/// <summary>The service's own Prometheus metrics, beside the fleet's request and process series.</summary>
public static class ServiceMetrics
{
    public static readonly Gauge Info = Metrics.CreateGauge("waddlebot_info", "Module and version of this service.", "module", "version");

    public static readonly Counter Joins = Metrics.CreateCounter("waddlebot_member_joins_total", "Memberships created or reactivated.");

    public static readonly Counter EventsWritten = Metrics.CreateCounter("waddlebot_events_written_total", "Events committed to the outbox.", "type");

    public static readonly Counter WebhookDeliveries = Metrics.CreateCounter("waddlebot_webhook_deliveries_total",
        "Webhook delivery attempts by result (delivered, failed).", "result");

    public static readonly Gauge WebhookBacklog = Metrics.CreateGauge("waddlebot_webhook_retry_backlog",
        "Webhook deliveries not yet delivered (first attempts and retries) of active subscriptions; refreshed by the dispatcher.");

    public static readonly Gauge WebhookOldestUndeliveredAge = Metrics.CreateGauge("waddlebot_webhook_oldest_undelivered_age_seconds",
        "Age of the oldest pending webhook delivery of an active subscription (0 when none); refreshed by the dispatcher.");

    public static readonly Gauge RelayLagEvents = Metrics.CreateGauge("waddlebot_relay_lag_events",
        "Committed events not yet appended to the Redis stream; refreshed by the relay (absent when the relay is off).",
        new GaugeConfiguration { LabelNames = ["stream"] });

    public static readonly Gauge RelayLagSeconds = Metrics.CreateGauge("waddlebot_relay_lag_seconds",
        "Age of the oldest committed event not yet appended to the Redis stream (0 when caught up); refreshed by the relay.",
        new GaugeConfiguration { LabelNames = ["stream"] });

    public static readonly Counter RelayAppended = Metrics.CreateCounter("waddlebot_relay_appended_total",
        "Events appended to the Redis stream by this instance (a batch appended again after a failure counts again).",
        new CounterConfiguration { LabelNames = ["stream"] });

    /// <summary>Preview or accept answered invite_not_found: unknown, revoked, expired or used up. A rise means guessing.</summary>
    public static readonly Counter InviteLookupFailures = Metrics.CreateCounter("waddlebot_invite_lookup_failures_total",
        "Invite previews and accepts answered invite_not_found, by operation (preview, accept).", "operation");

    /// <summary>Counted on every cached read: no exemplars (reading the trace context cost more than the count).</summary>
    public static readonly Counter CacheRequests = Metrics.CreateCounter("waddlebot_cache_requests_total",
        "Cache reads by cache and result (hit, miss).",
        new CounterConfiguration { LabelNames = ["cache", "result"], ExemplarBehavior = ExemplarBehavior.NoExemplars() });

    /// <summary>Counted on every lag-tolerant query, member pages included: no exemplars, as <see cref="CacheRequests"/>.</summary>
    public static readonly Counter DatabaseReads = Metrics.CreateCounter("waddlebot_db_reads_total",
        "Lag-tolerant queries (lists, statistics, logs) by the database they ran on (replica, primary).",
        new CounterConfiguration { LabelNames = ["target"], ExemplarBehavior = ExemplarBehavior.NoExemplars() });

    public static readonly Counter RetentionDeleted = Metrics.CreateCounter("waddlebot_retention_deleted_total",
        "Rows deleted by retention (the background job and `prune`), by table.", "table");

    public static readonly Gauge ReplicaLag = Metrics.CreateGauge("waddlebot_db_replica_lag_seconds",
        "How far the read replica is behind the primary, as this instance last measured it (-1 while unknown: unreachable or not a standby).");
}
