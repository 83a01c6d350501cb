using Community.Api.Members;
using Community.Api.Reputation;

namespace Community.Api.Cli;

/// <summary>
/// What <c>seed</c> loads, and the names it gives everything so a load test can address it: community <c>c</c>
/// (1-based) is named and connected as <c>{prefix}-{c}</c>; its member <c>j</c> (1-based; member 1 is the owner) is the
/// platform account <c>{prefix}-{c}-{j}</c> named <c>{prefix}_{c}_{j}</c>. Members joined one after another over the year
/// before the seed, in order of <c>j</c>.
/// </summary>
internal sealed record SeedPlan(
    int Communities, int Members, string Platform, string Prefix, bool SpreadReputation, int LeftPercent, int RandomSeed,
    Uri? WebhookUrl, int WebhookBacklog, int WebhookCommunities = 1)
{
    public static readonly TimeSpan History = TimeSpan.FromDays(365);

    public string CommunityName(int c) => $"{Prefix}-{c}";
    public string Channel(int c) => $"{Prefix}-{c}";
    public string PlatformUserId(int c, int j) => $"{Prefix}-{c}-{j}";
    public string PlatformUsername(int c, int j) => $"{Prefix}_{c}_{j}";

    /// <summary>How many of the backlog's deliveries belong to community <paramref name="c"/> (the first ones take the remainder).</summary>
    public int BacklogOf(int c) => c > WebhookCommunities ? 0 : WebhookBacklog / WebhookCommunities + (c <= WebhookBacklog % WebhookCommunities ? 1 : 0);

    /// <summary>Rows the seed writes, for the progress bar.</summary>
    public long TotalRows => (long)Communities * (3L * Members + 2 + Settings.SettingDefinitions.All.Count) + 2L * WebhookBacklog;

    /// <summary>
    /// The memberships of community <paramref name="c"/>: joined times strictly increasing (whole microseconds, which both
    /// databases store exactly, so keyset cursors round-trip); with <see cref="SpreadReputation"/> a bell around the
    /// default with a few moderators and admins; <see cref="LeftPercent"/> of the members (never the owner) have left.
    /// </summary>
    public SeededMember[] MembersOf(int c, DateTime now)
    {
        var random = new Random(unchecked(RandomSeed * 1_000_003 + c)); // not HashCode.Combine: it differs from process to process
        var start = Truncate(now - History);
        var step = History.Ticks / TimeSpan.TicksPerMicrosecond / Members;
        var members = new SeededMember[Members];
        for (var j = 1; j <= Members; j++)
        {
            var joined = start.AddTicks((j - 1) * Math.Max(step, 1) * TimeSpan.TicksPerMicrosecond);
            var owner = j == 1;
            var role = owner ? Roles.Owner
                : SpreadReputation && random.Next(5_000) == 0 ? Roles.Admin
                : SpreadReputation && random.Next(500) == 0 ? Roles.Moderator
                : Roles.Member;
            var reputation = SpreadReputation && !owner ? ReputationScale.Clamp((long)Math.Round(Normal(random, 620, 60))) : ReputationScale.Default;
            var left = !owner && random.Next(100) < LeftPercent;
            members[j - 1] = new SeededMember(j, role, reputation, left ? MemberStatus.Left : MemberStatus.Active, joined,
                left ? joined.AddTicks(step / 2 * TimeSpan.TicksPerMicrosecond) : joined);
        }
        return members;
    }

    private static DateTime Truncate(DateTime t) => new(t.Ticks - t.Ticks % TimeSpan.TicksPerMicrosecond, DateTimeKind.Utc);

    private static double Normal(Random random, double mean, double deviation) =>
        mean + deviation * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}

/// <summary>One membership of a seeded community, by its member number <c>j</c>.</summary>
internal readonly record struct SeededMember(int Number, string Role, int Reputation, string Status, DateTime JoinedAt, DateTime UpdatedAt);
