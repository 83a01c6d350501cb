using Community.Api.Reputation;
using Community.Api.JoinRequests;
using Community.Api.Webhooks;
using Community.Api.Idempotency;
using Community.Api.Audit;
using Community.Api.Events;
using Community.Api.Http;
using Community.Api.Identities;
using Community.Api.Invites;
using Community.Api.Members;
using Community.Api.Platforms;
using Community.Api.Relay;
using Community.Api.Settings;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Community.Api.Data;

/// <summary>
/// The one EF Core model of the service. <see cref="PostgresCommunityDb"/> and <see cref="SqliteCommunityDb"/>
/// only pick the provider, so each keeps its own migrations while the model stays single.
/// </summary>
public abstract class CommunityDb(DbContextOptions options) : DbContext(options)
{
    public DbSet<HubUser> HubUsers => Set<HubUser>();
    public DbSet<UserIdentity> UserIdentities => Set<UserIdentity>();
    public DbSet<Communities.Community> Communities => Set<Communities.Community>();
    public DbSet<Member> Members => Set<Member>();
    public DbSet<ReputationChange> ReputationHistory => Set<ReputationChange>();
    public DbSet<JoinRequest> JoinRequests => Set<JoinRequest>();
    public DbSet<Invite> Invites => Set<Invite>();
    public DbSet<PlatformConnection> PlatformConnections => Set<PlatformConnection>();
    public DbSet<CommunitySetting> Settings => Set<CommunitySetting>();
    public DbSet<OutboxEvent> Events => Set<OutboxEvent>();
    public DbSet<WebhookSubscription> WebhookSubscriptions => Set<WebhookSubscription>();
    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();
    public DbSet<AuditEntry> AuditLog => Set<AuditEntry>();
    public DbSet<IdempotencyRecord> IdempotencyRecords => Set<IdempotencyRecord>();
    public DbSet<RelayPosition> RelayPositions => Set<RelayPosition>();

    /// <summary>True on PostgreSQL, where a few statements (row locks, the feed horizon) differ from SQLite.</summary>
    public bool IsPostgres => _isPostgres ??= Database.ProviderName == "Npgsql.EntityFrameworkCore.PostgreSQL";

    // Asked on every member page; the provider never changes for a context, pooled or not, and looking it up
    // resolves an internal service each time.
    private bool? _isPostgres;

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(CommunityDb).Assembly);

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Every timestamp is UTC. SQLite forgets the kind on the way back; this puts it back so JSON says "Z".
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcConverter>();
        configurationBuilder.Properties<DateTime?>().HaveConversion<UtcConverter>();
    }

    private sealed class UtcConverter() : ValueConverter<DateTime, DateTime>(
        v => v.Kind == DateTimeKind.Utc ? v : v.ToUniversalTime(),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
}

public sealed class PostgresCommunityDb(DbContextOptions<PostgresCommunityDb> options) : CommunityDb(options);

public sealed class SqliteCommunityDb(DbContextOptions<SqliteCommunityDb> options) : CommunityDb(options);
