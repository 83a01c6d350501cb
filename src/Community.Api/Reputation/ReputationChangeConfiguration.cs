using Community.Api.Members;
using Community.Api.Identities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Api.Reputation;

public class ReputationChangeConfiguration : IEntityTypeConfiguration<ReputationChange>
{
    public void Configure(EntityTypeBuilder<ReputationChange> change)
    {
        change.ToTable("reputation_history");
        change.Property(c => c.Reason).HasMaxLength(500);
        change.Property(c => c.Actor).HasMaxLength(200);
        change.HasIndex(c => new { c.CommunityId, c.HubUserId, c.Id });
        change.HasOne<Communities.Community>().WithMany().HasForeignKey(c => c.CommunityId).OnDelete(DeleteBehavior.Cascade);
    }
}
