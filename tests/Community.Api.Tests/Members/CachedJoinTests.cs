using System.Data.Common;
using System.Net;
using System.Text.Json;
using Community.Api.Caching;
using Community.Api.Identities;
using Community.Api.Tests.Auth;
using Community.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace Community.Api.Tests.Members;

/// <summary>
/// An active member's connector join is answered from cache once read. Each test joins once (filling the cache), writes,
/// and joins again: the second answer must be what a read of the database would give.
/// </summary>
public abstract class CachedJoinTests(TestApp app, AccountReads reads) : ApiTest(app)
{
    [Fact]
    public async Task AnActiveMemberChattingAgainReadsNothing()
    {
        var (channel, account, _) = await CachedMember();

        var before = reads.Count;
        var again = await JoinAs(channel, account, account);

        Assert.Equal(before, reads.Count);
        Assert.Equal((false, false, "active"), (again.Bool("created"), again.Bool("user_created"), again.GetProperty("member").Str("status")));
    }

    [Fact]
    public async Task AJoinAfterTheSightingIsRecordedAgainIsAnsweredFromCacheAgain()
    {
        var (channel, account, _) = await CachedMember();

        App.Clock.Advance(IdentityResolver.LastSeenGranularity + TimeSpan.FromSeconds(1));
        await JoinAs(channel, account, account); // records the sighting, which drops the entry
        await JoinAs(channel, account, account); // reads it again
        var before = reads.Count;
        await JoinAs(channel, account, account);

        Assert.Equal(before, reads.Count);
    }

    [Fact]
    public async Task ANewViewersJoinKeepsNothingInTheCache()
    {
        var (channel, _, _) = await CachedMember(); // the community's settings are cached now
        var cache = App.Services.GetRequiredService<TaggedCache>();

        var before = cache.Count;
        await App.Join(channel, Unique("raider"));

        Assert.Equal(before, cache.Count);
    }

    [Fact]
    public async Task ARenameShowsInTheNextJoinThatGivesNoName()
    {
        var (channel, account, _) = await CachedMember();

        Assert.Equal("Teal", (await JoinAs(channel, account, "Teal")).GetProperty("member").Str("username"));

        Assert.Equal("Teal", (await JoinAs(channel, account, null)).GetProperty("member").Str("username"));
    }

    [Fact]
    public async Task ARenameThroughThePrimaryAccountShowsInJoinsThroughTheUsersOtherAccounts()
    {
        var (channel, account, hubUserId) = await CachedMember();
        var alt = Unique("alt");
        await App.Service().Post($"/api/v1/users/{hubUserId}/identities", new { platform = "twitch", platform_user_id = alt }).Data(HttpStatusCode.Created);
        await JoinAs(channel, alt, null);
        var before = reads.Count;
        Assert.Equal(account, (await JoinAs(channel, alt, null)).GetProperty("member").Str("username"));
        Assert.Equal(before, reads.Count); // answered from cache

        await JoinAs(channel, account, "Teal");

        Assert.Equal("Teal", (await JoinAs(channel, alt, null)).GetProperty("member").Str("username"));
    }

    [Fact]
    public async Task ABanIsRefusedAtOnce()
    {
        var (channel, account, hubUserId) = await CachedMember();

        await App.BanByService(CommunityOf(channel), hubUserId);

        await Join(channel, account).Problem(HttpStatusCode.Forbidden, "member_banned");
    }

    [Fact]
    public async Task ARoleAndAReputationChangeShowAtOnce()
    {
        var (channel, account, hubUserId) = await CachedMember();

        await App.Service().Put($"/api/v1/communities/{CommunityOf(channel)}/members/{hubUserId}/role", new { role = "moderator" }).Data();
        await App.SetReputation(CommunityOf(channel), hubUserId, 777);

        var member = (await JoinAs(channel, account, account)).GetProperty("member");
        Assert.Equal(("moderator", 777), (member.Str("role"), member.Int("reputation")));
    }

    [Fact]
    public async Task AJoinAfterARemovalMakesTheMemberAgain()
    {
        var (channel, account, hubUserId) = await CachedMember();

        await App.Service().DeleteAsync($"/api/v1/communities/{CommunityOf(channel)}/members/{hubUserId}", Ct).Data();

        var again = await JoinAs(channel, account, account);
        Assert.Equal((true, "active"), (again.Bool("created"), again.GetProperty("member").Str("status")));
    }

    [Fact]
    public async Task DeactivatingTheCommunityShowsAtOnce()
    {
        var (channel, account, _) = await CachedMember();

        await App.Service().DeleteAsync($"/api/v1/communities/{CommunityOf(channel)}", Ct).Data();

        await Join(channel, account).Problem(HttpStatusCode.Conflict, "community_inactive");
    }

    [Fact]
    public async Task DisconnectingTheChannelShowsAtOnce()
    {
        var (channel, account, _) = await CachedMember();

        Assert.Equal(HttpStatusCode.NoContent, (await App.Service().DeleteAsync($"/api/v1/communities/{CommunityOf(channel)}/platforms/twitch", Ct)).StatusCode);

        await Join(channel, account).Problem(HttpStatusCode.NotFound, "community_not_found");
    }

    [Fact]
    public async Task AJoinThroughAMergedAwayAccountLandsOnTheUserItWasMergedInto()
    {
        var (channel, account, _) = await CachedMember();
        var target = (await App.Join(channel, Unique("target"))).Long("hub_user_id");

        await App.Service().Post($"/api/v1/users/{target}/identities", new { platform = "twitch", platform_user_id = account, merge = true }).Data();

        Assert.Equal(target, (await JoinAs(channel, account, account)).Long("hub_user_id"));
    }

    private readonly Dictionary<string, long> _communities = [];

    private long CommunityOf(string channel) => _communities[channel];

    /// <summary>An active member of a fresh community whose join is already cached.</summary>
    private async Task<(string Channel, string Account, long HubUserId)> CachedMember()
    {
        var (id, channel) = await App.ConnectedCommunity();
        _communities[channel] = id;
        var account = Unique("cached");
        var hubUserId = (await App.Join(channel, account)).Long("hub_user_id");
        await JoinAs(channel, account, account);
        return (channel, account, hubUserId);
    }

    private Task<HttpResponseMessage> Join(string channel, string account, string? name = null) =>
        App.Service().Post("/api/v1/members/join", new { platform = "twitch", platform_community_id = channel, platform_user_id = account, platform_username = name });

    private async Task<JsonElement> JoinAs(string channel, string account, string? name) => await Join(channel, account, name).Data();
}

/// <summary>Counts the commands that read platform accounts: every connector join not answered from cache sends one.</summary>
public sealed class AccountReads : DbCommandInterceptor
{
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        if (command.CommandText.Contains("user_identities")) Interlocked.Increment(ref _count);
        return ValueTask.FromResult(result);
    }
}

public sealed class AccountCountingSqliteApp : SqliteApp
{
    public AccountReads Reads { get; } = new();
    protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<IInterceptor>(Reads);
}

public sealed class AccountCountingPostgresApp : PostgresApp
{
    public AccountReads Reads { get; } = new();
    protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<IInterceptor>(Reads);
}

public sealed class CachedJoinTestsOnSqlite(AccountCountingSqliteApp app) : CachedJoinTests(app, app.Reads), IClassFixture<AccountCountingSqliteApp>;

public sealed class CachedJoinTestsOnPostgres(AccountCountingPostgresApp app) : CachedJoinTests(app, app.Reads), IClassFixture<AccountCountingPostgresApp>;
