using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Api.Identities;

public class HubUserConfiguration : IEntityTypeConfiguration<HubUser>
{
    public void Configure(EntityTypeBuilder<HubUser> user)
    {
        user.ToTable("hub_users");
        user.Property(u => u.Username).HasMaxLength(100);
        user.Property(u => u.Email).HasMaxLength(320);
        user.Property(u => u.AvatarUrl).HasMaxLength(2048);
        user.HasOne<HubUser>().WithMany().HasForeignKey(u => u.MergedIntoId).OnDelete(DeleteBehavior.Restrict);
        user.HasMany(u => u.Identities).WithOne().HasForeignKey(i => i.HubUserId).OnDelete(DeleteBehavior.Cascade);
    }
}

public class UserIdentityConfiguration : IEntityTypeConfiguration<UserIdentity>
{
    public void Configure(EntityTypeBuilder<UserIdentity> identity)
    {
        identity.ToTable("user_identities");
        identity.Property(i => i.Platform).HasMaxLength(16);
        identity.Property(i => i.PlatformUserId).HasMaxLength(255);
        identity.Property(i => i.PlatformUsername).HasMaxLength(255);
        identity.Property(i => i.AvatarUrl).HasMaxLength(2048);
        // The cross-platform identity rule: one platform account, one hub user.
        identity.HasIndex(i => new { i.Platform, i.PlatformUserId }).IsUnique();
        identity.HasIndex(i => i.HubUserId);
    }
}
