using Community.Api.Identities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Community.Api.Reputation;

namespace Community.Api.Members;

public class MemberConfiguration : IEntityTypeConfiguration<Member>
{
    public void Configure(EntityTypeBuilder<Member> member)
    {
        member.ToTable("community_members", t =>
        {
            t.HasCheckConstraint("ck_community_members_reputation", $"reputation BETWEEN {ReputationScale.Min} AND {ReputationScale.Max}");
            t.HasCheckConstraint("ck_community_members_role", "role IN ('owner', 'admin', 'moderator', 'member')");
            t.HasCheckConstraint("ck_community_members_status", "status IN ('active', 'left', 'removed', 'banned')");
        });
        member.Property(m => m.Role).HasMaxLength(16);
        member.Property(m => m.Status).HasMaxLength(16);
        member.Property(m => m.Reputation).HasDefaultValue(ReputationScale.Default);
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
