using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Api.Idempotency;

public class IdempotencyRecordConfiguration : IEntityTypeConfiguration<IdempotencyRecord>
{
    public void Configure(EntityTypeBuilder<IdempotencyRecord> r)
    {
        r.ToTable("idempotency_keys");
        r.HasKey(x => new { x.Caller, x.IdempotencyKey });
        r.Property(x => x.Caller).HasMaxLength(200);
        r.Property(x => x.IdempotencyKey).HasMaxLength(255);
        r.Property(x => x.ETag).HasMaxLength(100);
        r.Property(x => x.RequestHash).HasMaxLength(64);
        r.Property(x => x.ContentType).HasMaxLength(200);
        r.Property(x => x.Location).HasMaxLength(2048);
        r.HasIndex(x => x.CreatedAt);
    }
}
