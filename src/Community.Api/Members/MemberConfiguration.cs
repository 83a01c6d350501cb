using Community.Api.Identities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Api.Members;

public class MemberConfiguration : IEntityTypeConfiguration<Member>
{
    public void Configure(EntityTypeBuilder<Member> member)
    {
        member.ToTable("community_members", t =>
        {
            t.HasCheckConstraint("ck_community_members_reputation", $"reputation BETWEEN {Reputation.Min} AND {Reputation.Max}");
            t.HasCheckConstraint("ck_community_members_role", "role IN ('owner', 'admin', 'moderator', 'member')");
            t.HasCheckConstraint("ck_community_members_status", "status IN ('active', 'left', 'removed', 'banned')");
        });
        member.Property(m => m.Role).HasMaxLength(16);
        member.Property(m => m.Status).HasMaxLength(16);
        member.Property(m => m.Reputation).HasDefaultValue(Reputation.Default);
        member.Property(m => m.BanReason).HasMaxLength(500);

        member.HasIndex(m => new { m.CommunityId, m.HubUserId }).IsUnique();
        member.HasIndex(m => m.HubUserId);
        // Keyset paging in both member sort orders, at any depth.
        member.HasIndex(m => new { m.CommunityId, m.JoinedAt, m.HubUserId });
        member.HasIndex(m => new { m.CommunityId, m.Reputation, m.HubUserId });
        // Exactly one owner per community: a second owner row cannot exist.
        member.HasIndex(m => m.CommunityId).IsUnique().HasFilter("role = 'owner'").HasDatabaseName("ux_community_members_one_owner");

        member.HasOne<Communities.Community>().WithMany().HasForeignKey(m => m.CommunityId).OnDelete(DeleteBehavior.Cascade);
        member.HasOne<HubUser>().WithMany().HasForeignKey(m => m.HubUserId).OnDelete(DeleteBehavior.Restrict);
    }
}

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
