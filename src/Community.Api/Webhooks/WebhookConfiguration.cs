using Community.Api.Events;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Api.Webhooks;

public class WebhookSubscriptionConfiguration : IEntityTypeConfiguration<WebhookSubscription>
{
    public void Configure(EntityTypeBuilder<WebhookSubscription> s)
    {
        s.ToTable("webhook_subscriptions");
        s.Property(x => x.Url).HasMaxLength(2048);
        s.Property(x => x.CreatedBy).HasMaxLength(200);
        s.Property(x => x.DisabledReason).HasMaxLength(500);
        s.HasIndex(x => x.CommunityId);
        s.HasOne<Communities.Community>().WithMany().HasForeignKey(x => x.CommunityId).OnDelete(DeleteBehavior.Cascade);
    }
}

public class WebhookDeliveryConfiguration : IEntityTypeConfiguration<WebhookDelivery>
{
    public void Configure(EntityTypeBuilder<WebhookDelivery> d)
    {
        d.ToTable("webhook_deliveries", t => t.HasCheckConstraint("ck_webhook_deliveries_status", "status IN ('pending', 'delivered', 'failed')"));
        d.Property(x => x.Status).HasMaxLength(16);
        d.Property(x => x.LastError).HasMaxLength(1000);
        d.HasIndex(x => new { x.SubscriptionId, x.EventId }).IsUnique();
        d.HasIndex(x => new { x.Status, x.NextAttemptAt });
        // The delivery queues: each (subscription, community) pair's pending deliveries in event order (DeliveryQueue.ClaimAsync).
        d.HasIndex(x => new { x.SubscriptionId, x.CommunityId, x.EventId }).HasFilter("status = 'pending'")
            .HasDatabaseName("ix_webhook_deliveries_pending_queues");
        // Retention: whether an expiring event still has a delivery (also what deleting an event looks up for its
        // cascade), and which finished deliveries have expired.
        d.HasIndex(x => x.EventId);
        d.HasIndex(x => x.CreatedAt);
        d.HasOne<WebhookSubscription>().WithMany().HasForeignKey(x => x.SubscriptionId).OnDelete(DeleteBehavior.Cascade);
        d.HasOne<OutboxEvent>().WithMany().HasForeignKey(x => x.EventId).OnDelete(DeleteBehavior.Cascade);
    }
}
