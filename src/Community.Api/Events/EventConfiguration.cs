using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Api.Events;

public class OutboxEventConfiguration : IEntityTypeConfiguration<OutboxEvent>
{
    public void Configure(EntityTypeBuilder<OutboxEvent> e)
    {
        e.ToTable("events");
        e.Property(x => x.Type).HasMaxLength(64);
        e.HasIndex(x => new { x.CommunityId, x.Id });
        e.HasIndex(x => new { x.Type, x.Id });
        e.HasIndex(x => x.OccurredAt); // retention finds the expired events without scanning the live ones
    }
}
