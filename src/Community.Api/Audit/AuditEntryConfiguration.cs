using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Api.Audit;

public class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> a)
    {
        a.ToTable("audit_log");
        a.Property(x => x.ActorType).HasMaxLength(16);
        a.Property(x => x.ActorId).HasMaxLength(200);
        a.Property(x => x.Action).HasMaxLength(64);
        a.Property(x => x.TargetType).HasMaxLength(32);
        a.Property(x => x.TargetId).HasMaxLength(200);
        a.HasIndex(x => new { x.CommunityId, x.Id });
        a.HasIndex(x => x.OccurredAt); // retention
    }
}
