using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Api.Relay;

/// <summary>
/// How far a relay has carried the outbox to its stream: every event up to <see cref="LastEventId"/> has been appended.
/// One row per stream key.
/// </summary>
public class RelayPosition
{
    /// <summary>The full stream key, such as <c>waddlebot:stream:events:community</c>.</summary>
    public required string Stream { get; set; }

    public long LastEventId { get; set; }

    /// <summary>When the position last moved (or the row was made): a row left behind by a relay that no longer runs shows it.</summary>
    public DateTime UpdatedAt { get; set; }
}

public class RelayPositionConfiguration : IEntityTypeConfiguration<RelayPosition>
{
    public void Configure(EntityTypeBuilder<RelayPosition> p)
    {
        p.ToTable("relay_positions");
        p.HasKey(x => x.Stream);
        p.Property(x => x.Stream).HasMaxLength(200);
    }
}
