using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Api.Settings;

public class CommunitySettingConfiguration : IEntityTypeConfiguration<CommunitySetting>
{
    public void Configure(EntityTypeBuilder<CommunitySetting> setting)
    {
        setting.ToTable("community_settings");
        setting.HasKey(s => new { s.CommunityId, s.Key });
        setting.Property(s => s.Key).HasMaxLength(100);
        setting.HasOne<Communities.Community>().WithMany().HasForeignKey(s => s.CommunityId).OnDelete(DeleteBehavior.Cascade);
    }
}
