using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Api.Invites;

public class InviteConfiguration : IEntityTypeConfiguration<Invite>
{
    public void Configure(EntityTypeBuilder<Invite> invite)
    {
        invite.ToTable("invites", t =>
        {
            t.HasCheckConstraint("ck_invites_uses", "uses >= 0");
            t.HasCheckConstraint("ck_invites_max_uses", "max_uses IS NULL OR max_uses >= 1");
            // The database itself refuses a count past the limit, whatever a future writer forgets.
            t.HasCheckConstraint("ck_invites_uses_within_max", "max_uses IS NULL OR uses <= max_uses");
        });
        invite.Property(i => i.Code).HasMaxLength(InviteCodes.MaxLength);
        invite.Property(i => i.CreatedBy).HasMaxLength(200);
        // Preview and accept find an invite by one seek on this index.
        invite.HasIndex(i => i.Code).IsUnique();
        // The community's list, newest first, seeks through this index at any depth.
        invite.HasIndex(i => new { i.CommunityId, i.Id });
        invite.HasOne<Communities.Community>().WithMany().HasForeignKey(i => i.CommunityId).OnDelete(DeleteBehavior.Cascade);
    }
}
