using System.Data.Common;
using Community.Api.Tests.Auth;
using Community.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace Community.Api.Tests.Lookup;

/// <summary>
/// The routing cache's fill race: a lookup (or a connector join, cached the same way) that read the database just before
/// a ban committed must not store its answer over the ban's invalidation — a stale answer would let a banned user through.
/// </summary>
public abstract class LookupFillRaceTests(TestApp app, LookupLoadGate gate) : ApiTest(app)
{
    [Fact]
    public async Task ALookupThatReadBeforeABanNeverServesItsAnswerAfterTheBan()
    {
        var (community, channel) = await App.ConnectedCommunity();
        var account = Unique("viewer");
        var viewer = (await App.Join(channel, account)).Long("hub_user_id");

        var paused = gate.PauseNextLoad();
        var racing = App.Service().Lookup(channel, account);
        await paused.Reading; // the lookup has read: not banned
        await App.BanByService(community, viewer);
        paused.Release();
        Assert.False((await racing.Data()).Bool("banned")); // it asked before the ban: fair

        Assert.True((await App.Service().Lookup(channel, account).Data()).Bool("banned"));
    }

    [Fact]
    public async Task AJoinThatReadBeforeABanNeverServesItsAnswerAfterTheBan()
    {
        var (community, channel) = await App.ConnectedCommunity();
        var account = Unique("viewer");
        var viewer = (await App.Join(channel, account)).Long("hub_user_id");

        var paused = gate.PauseNextLoad();
        var racing = App.Join(channel, account);
        await paused.Reading; // the join has read: an active member
        await App.BanByService(community, viewer);
        paused.Release();
        Assert.Equal("active", (await racing).GetProperty("member").Str("status")); // it came before the ban: fair

        await App.Service().Post("/api/v1/members/join", new { platform = "twitch", platform_community_id = channel, platform_user_id = account })
            .Problem(System.Net.HttpStatusCode.Forbidden, "member_banned");
    }
}

/// <summary>Holds the next routing lookup's query, after the database answered, until the test releases it.</summary>
public sealed class LookupLoadGate : DbCommandInterceptor
{
    private Pause? _next;

    public sealed class Pause
    {
        private readonly TaskCompletionSource _reading = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public Task Reading => _reading.Task;
        public void Release() => _release.TrySetResult();

        internal async Task HoldAsync()
        {
            _reading.TrySetResult();
            await _release.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    public Pause PauseNextLoad() => _next = new Pause();

    public override async ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result,
        CancellationToken cancellationToken = default)
    {
        // The routing query (and the join's) is the one that joins connections, accounts and memberships.
        if (command.CommandText.Contains("community_platforms") && command.CommandText.Contains("user_identities")
            && command.CommandText.Contains("community_members") && Interlocked.Exchange(ref _next, null) is { } pause)
            await pause.HoldAsync();
        return result;
    }
}

public sealed class GatedSqliteApp : SqliteApp
{
    public LookupLoadGate Gate { get; } = new();
    protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<IInterceptor>(Gate);
}

public sealed class GatedPostgresApp : PostgresApp
{
    public LookupLoadGate Gate { get; } = new();
    protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<IInterceptor>(Gate);
}

public sealed class LookupFillRaceTestsOnSqlite(GatedSqliteApp app) : LookupFillRaceTests(app, app.Gate), IClassFixture<GatedSqliteApp>;

public sealed class LookupFillRaceTestsOnPostgres(GatedPostgresApp app) : LookupFillRaceTests(app, app.Gate), IClassFixture<GatedPostgresApp>;
