using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Api.Platforms;

public class PlatformConnectionConfiguration : IEntityTypeConfiguration<PlatformConnection>
{
    public void Configure(EntityTypeBuilder<PlatformConnection> connection)
    {
        connection.ToTable("community_platforms");
        connection.Property(c => c.Platform).HasMaxLength(16);
        connection.Property(c => c.PlatformCommunityId).HasMaxLength(255);
        connection.Property(c => c.DisplayName).HasMaxLength(200);
        // One active connection per platform community across all communities.
        connection.HasIndex(c => new { c.Platform, c.PlatformCommunityId }).IsUnique().HasFilter("is_active")
            .HasDatabaseName("ux_community_platforms_active");
        // Finding a community by its connection (the join and lookup paths) also reads inactive ones.
        connection.HasIndex(c => new { c.Platform, c.PlatformCommunityId, c.IsActive });
        connection.HasIndex(c => c.CommunityId);
        connection.HasOne<Communities.Community>().WithMany().HasForeignKey(c => c.CommunityId).OnDelete(DeleteBehavior.Cascade);
    }
}
