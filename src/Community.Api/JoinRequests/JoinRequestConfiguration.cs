using Community.Api.Members;
using Community.Api.Identities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Api.JoinRequests;

public class JoinRequestConfiguration : IEntityTypeConfiguration<JoinRequest>
{
    public void Configure(EntityTypeBuilder<JoinRequest> request)
    {
        request.ToTable("join_requests", t => t.HasCheckConstraint("ck_join_requests_status", "status IN ('pending', 'approved', 'rejected')"));
        request.Property(r => r.Status).HasMaxLength(16);
        request.Property(r => r.Message).HasMaxLength(500);
        request.Property(r => r.DecidedBy).HasMaxLength(200);
        request.HasIndex(r => new { r.CommunityId, r.Status, r.Id });
        // One open request per user and community.
        request.HasIndex(r => new { r.CommunityId, r.HubUserId }).IsUnique().HasFilter("status = 'pending'")
            .HasDatabaseName("ux_join_requests_one_pending");
        request.HasOne<Communities.Community>().WithMany().HasForeignKey(r => r.CommunityId).OnDelete(DeleteBehavior.Cascade);
        request.HasOne<HubUser>().WithMany().HasForeignKey(r => r.HubUserId).OnDelete(DeleteBehavior.Restrict);
    }
}
