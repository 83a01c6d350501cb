using Community.Api.Data;
using Community.Api.Events;
using Community.Api.Hosting;
using Community.Api.Http;
using Community.Api.Identities;
using Community.Api.Members;
using Community.Api.Platforms;
using Community.Api.Security;
using Community.Api.Settings;
using Community.Api.Webhooks;
using Microsoft.EntityFrameworkCore;
using CommunityRow = Community.Api.Communities.Community;

namespace Community.Api.Cli;

/// <summary>What a seed wrote: the communities' id range, rows per table, and the webhook subscription of a backlog.</summary>
internal sealed record SeedOutcome(long FirstCommunityId, long LastCommunityId, IReadOnlyDictionary<string, long> Rows, long? SubscriptionId);

/// <summary>
/// Loads a <see cref="SeedPlan"/> at bulk speed, each community with everything the service itself would have written
/// for it (hub users with their platform accounts, the owner membership, memberships with <c>member_count</c> equal to
/// the active ones, default settings, the platform connection that joins and lookups find it by), in one transaction
/// per community. It is a bulk load of state that already exists, not a replay of history: no outbox events or audit
/// entries are written, except the <c>member.joined</c> events of a webhook backlog, which exist to be delivered.
/// </summary>
internal sealed class BulkSeeder(CommunityDb db, SecretProtector secrets, TimeProvider clock)
{
    /// <summary>PostgreSQL numbers at most 4,095 events per transaction (migration LockFreeEventIds), so a backlog is written in parts.</summary>
    private const int EventsPerTransaction = 4_000;

    private readonly BulkWriter _writer = BulkWriter.For(db);
    private readonly Dictionary<string, long> _rows = [];

    public async Task<SeedOutcome> RunAsync(SeedPlan plan, Action<long> progress, CancellationToken ct)
    {
        var now = clock.UtcNow();
        var tables = new SeedTables(db);
        var ids = new List<long>();
        var backlogged = new List<SeededCommunity>();
        for (var c = 1; c <= plan.Communities; c++)
        {
            var seeded = await SeedCommunityAsync(plan, tables, c, now, progress, ct);
            if (plan.BacklogOf(c) > 0) backlogged.Add(seeded);
            ids.Add(seeded.Id);
        }
        long? subscription = plan.WebhookBacklog > 0 ? await SeedBacklogAsync(plan, tables, backlogged, now, progress, ct) : null;
        await _writer.AfterLoadAsync(tables.All.Select(t => t.Name).Distinct(), ct);
        return new SeedOutcome(ids.Min(), ids.Max(), _rows, subscription);
    }

    private async Task<SeededCommunity> SeedCommunityAsync(SeedPlan plan, SeedTables tables, int c, DateTime now, Action<long> progress, CancellationToken ct)
    {
        var members = plan.MembersOf(c, now);
        var created = members[0].JoinedAt;
        var displayName = $"{plan.Prefix} {c}";
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var userIds = await _writer.ReserveIdsAsync(tables.Users.Name, BulkTable.IdColumn<HubUser>(db), members.Length, ct);
        var id = (await _writer.ReserveIdsAsync(tables.Communities.Name, BulkTable.IdColumn<CommunityRow>(db), 1, ct))[0];

        await WriteAsync(tables.Users, members.Select(m => new object?[]
        {
            userIds[m.Number - 1], plan.PlatformUsername(c, m.Number), true, m.JoinedAt, m.JoinedAt,
        }), progress, ct);
        var name = plan.CommunityName(c);
        await WriteAsync(tables.Communities, [[
            id, name, name.ToLowerInvariant(), displayName, "Seeded for load tests by the seed command.", userIds[0], Api.Communities.Tiers.Free,
            true, true, members.Count(m => m.Status == MemberStatus.Active), 0, created, created,
        ]], progress, ct);
        await WriteAsync(tables.Platforms, [[id, plan.Platform, plan.Channel(c), displayName, true, true, created]], progress, ct);
        await WriteAsync(tables.Settings, SettingDefinitions.All.Select(d => new object?[] { id, d.Key, d.DefaultJson, created }), progress, ct);
        await WriteAsync(tables.Identities, members.Select(m => new object?[]
        {
            userIds[m.Number - 1], plan.Platform, plan.PlatformUserId(c, m.Number), plan.PlatformUsername(c, m.Number), true, m.JoinedAt, m.UpdatedAt,
        }), progress, ct);
        await WriteAsync(tables.Members, members.Select(m => new object?[]
        {
            id, userIds[m.Number - 1], m.Role, m.Reputation, m.Status, m.JoinedAt, m.UpdatedAt,
        }), progress, ct);
        await tx.CommitAsync(ct);
        return new SeededCommunity(c, id, displayName, userIds, members);
    }

    /// <summary>
    /// A subscription to <see cref="SeedPlan.WebhookUrl"/> with one pending delivery for each <c>member.joined</c> of the
    /// newest members of the first <see cref="SeedPlan.WebhookCommunities"/> communities (<see cref="SeedPlan.BacklogOf"/>
    /// each), as the dispatcher's fan-out would have made them: the first community's own subscription, or with several
    /// communities one subscription to every community, their joins interleaved as a busy hour would write them. The
    /// deliveries appear at once, in the transaction that creates the subscription.
    /// </summary>
    private async Task<long> SeedBacklogAsync(SeedPlan plan, SeedTables tables, List<SeededCommunity> communities, DateTime now,
        Action<long> progress, CancellationToken ct)
    {
        var defaults = new EffectiveSettings(new Dictionary<string, string>()); // what a seeded community's settings hold
        object?[] Joined(SeededCommunity community, SeededMember m)
        {
            var username = plan.PlatformUsername(community.Number, m.Number);
            // The member as it was when it joined: a plain member at the starting score (promotions and reputation came later).
            var member = new Member
            {
                CommunityId = community.Id, HubUserId = community.UserIds[m.Number - 1], Role = Roles.Member, Reputation = defaults.StartingScore,
                Status = MemberStatus.Active, JoinedAt = m.JoinedAt, UpdatedAt = m.JoinedAt,
            };
            var data = new Dictionary<string, object?>
            {
                ["member"] = MemberResponse.From(member, username, m.JoinedAt), ["platform"] = plan.Platform,
                ["welcome_message"] = defaults.RenderWelcome(community.DisplayName, username),
            };
            return [EventTypes.MemberJoined, community.Id, m.JoinedAt, ApiJson.Serialize(data)];
        }
        var newest = communities.Select(c => c.Members.Skip(c.Members.Length - plan.BacklogOf(c.Number)).Select(m => Joined(c, m)).ToList()).ToList();
        var joiners = Enumerable.Range(0, newest.Max(n => n.Count)).SelectMany(k => newest.Where(n => k < n.Count).Select(n => n[k]));
        foreach (var part in joiners.Chunk(EventsPerTransaction))
        {
            await using var partTx = await db.Database.BeginTransactionAsync(ct);
            await WriteAsync(tables.Events, part, progress, ct);
            await partTx.CommitAsync(ct);
        }

        var ids = communities.Select(c => c.Id).ToList();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var events = db.Events.Where(e => ids.Contains(e.CommunityId!.Value) && e.Type == EventTypes.MemberJoined);
        var subscription = new WebhookSubscription
        {
            Url = plan.WebhookUrl!.OriginalString,
            EventTypesJson = ApiJson.Serialize(new[] { EventTypes.MemberJoined }),
            CommunityId = ids.Count == 1 ? ids[0] : null,
            SecretCiphertext = secrets.Protect(WebhookSigning.NewSecret()),
            CreatedBy = "service:seed",
            CreatedAt = now,
            // The backlog is already fanned out below: the dispatcher starts after it.
            LastEventId = await events.MaxAsync(e => e.Id, ct),
        };
        // Owed from the backlog's first event on: with several communities every join from there, whichever community.
        var first = await events.MinAsync(e => e.Id, ct);
        db.WebhookSubscriptions.Add(subscription);
        await db.SaveChangesAsync(ct);
        var deliveries = subscription.CommunityId is { } only
            ? await db.Database.ExecuteSqlInterpolatedAsync($"""
                INSERT INTO webhook_deliveries (subscription_id, event_id, community_id, status, attempts, next_attempt_at, created_at)
                SELECT {subscription.Id}, e.id, e.community_id, {DeliveryStatus.Pending}, 0, {now}, {now} FROM events AS e
                WHERE e.type = {EventTypes.MemberJoined} AND e.id BETWEEN {first} AND {subscription.LastEventId} AND e.community_id = {only}
                """, ct)
            : await db.Database.ExecuteSqlInterpolatedAsync($"""
                INSERT INTO webhook_deliveries (subscription_id, event_id, community_id, status, attempts, next_attempt_at, created_at)
                SELECT {subscription.Id}, e.id, e.community_id, {DeliveryStatus.Pending}, 0, {now}, {now} FROM events AS e
                WHERE e.type = {EventTypes.MemberJoined} AND e.id BETWEEN {first} AND {subscription.LastEventId}
                """, ct);
        await tx.CommitAsync(ct);
        Count("webhook_subscriptions", 1);
        Count("webhook_deliveries", deliveries);
        progress(deliveries);
        return subscription.Id;
    }

    private Task WriteAsync(BulkTable table, IEnumerable<object?[]> rows, Action<long> progress, CancellationToken ct) =>
        _writer.WriteAsync(table, rows, n =>
        {
            Count(table.Name, n);
            progress(n);
        }, ct);

    private void Count(string table, long rows) => _rows[table] = _rows.GetValueOrDefault(table) + rows;

    private sealed record SeededCommunity(int Number, long Id, string DisplayName, long[] UserIds, SeededMember[] Members);

    /// <summary>The tables a seed fills, with the columns it writes in the order its rows list them.</summary>
    private sealed class SeedTables(CommunityDb db)
    {
        public BulkTable Users { get; } = BulkTable.Of<HubUser>(db,
            nameof(HubUser.Id), nameof(HubUser.Username), nameof(HubUser.IsActive), nameof(HubUser.CreatedAt), nameof(HubUser.UpdatedAt));

        public BulkTable Communities { get; } = BulkTable.Of<CommunityRow>(db,
            nameof(CommunityRow.Id), nameof(CommunityRow.Name), nameof(CommunityRow.NameKey), nameof(CommunityRow.DisplayName),
            nameof(CommunityRow.Description), nameof(CommunityRow.OwnerId), nameof(CommunityRow.Tier), nameof(CommunityRow.IsPublic),
            nameof(CommunityRow.IsActive), nameof(CommunityRow.MemberCount), nameof(CommunityRow.Version), nameof(CommunityRow.CreatedAt),
            nameof(CommunityRow.UpdatedAt));

        public BulkTable Platforms { get; } = BulkTable.Of<PlatformConnection>(db,
            nameof(PlatformConnection.CommunityId), nameof(PlatformConnection.Platform), nameof(PlatformConnection.PlatformCommunityId),
            nameof(PlatformConnection.DisplayName), nameof(PlatformConnection.IsPrimary), nameof(PlatformConnection.IsActive), nameof(PlatformConnection.CreatedAt));

        public BulkTable Settings { get; } = BulkTable.Of<CommunitySetting>(db,
            nameof(CommunitySetting.CommunityId), nameof(CommunitySetting.Key), nameof(CommunitySetting.ValueJson), nameof(CommunitySetting.UpdatedAt));

        public BulkTable Identities { get; } = BulkTable.Of<UserIdentity>(db,
            nameof(UserIdentity.HubUserId), nameof(UserIdentity.Platform), nameof(UserIdentity.PlatformUserId), nameof(UserIdentity.PlatformUsername),
            nameof(UserIdentity.IsPrimary), nameof(UserIdentity.LinkedAt), nameof(UserIdentity.LastSeenAt));

        public BulkTable Members { get; } = BulkTable.Of<Member>(db,
            nameof(Member.CommunityId), nameof(Member.HubUserId), nameof(Member.Role), nameof(Member.Reputation), nameof(Member.Status),
            nameof(Member.JoinedAt), nameof(Member.UpdatedAt));

        public BulkTable Events { get; } = BulkTable.Of<OutboxEvent>(db,
            nameof(OutboxEvent.Type), nameof(OutboxEvent.CommunityId), nameof(OutboxEvent.OccurredAt), nameof(OutboxEvent.DataJson));

        public IEnumerable<BulkTable> All => [Users, Communities, Platforms, Settings, Identities, Members, Events];
    }
}
