using Community.Api.Identities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Api.Communities;

public class CommunityConfiguration : IEntityTypeConfiguration<Community>
{
    public void Configure(EntityTypeBuilder<Community> community)
    {
        community.ToTable("communities", t => t.HasCheckConstraint("ck_communities_tier", "tier IN ('free', 'premium')"));
        community.Property(c => c.Name).HasMaxLength(100);
        community.Property(c => c.NameKey).HasMaxLength(100);
        community.Property(c => c.DisplayName).HasMaxLength(200);
        community.Property(c => c.Description).HasMaxLength(2000);
        community.Property(c => c.AvatarUrl).HasMaxLength(2048);
        community.Property(c => c.Tier).HasMaxLength(16);
        community.Property(c => c.Version).IsConcurrencyToken();
        community.HasIndex(c => c.NameKey).IsUnique();
        community.HasIndex(c => c.OwnerId);
        community.HasOne<HubUser>().WithMany().HasForeignKey(c => c.OwnerId).OnDelete(DeleteBehavior.Restrict);
    }
}
