using Community.Api.Data;
using Community.Api.Events;
using Microsoft.EntityFrameworkCore;

namespace Community.Api.Tests.Cli;

/// <summary><c>prune</c>: the retention pass once, from the command line; <c>--dry-run</c> counts and deletes nothing.</summary>
public sealed class PruneCommandTests : CliTest
{
    [Fact]
    public async Task ADryRunCountsAndAPassDeletesWhatTheWindowsExpired()
    {
        AssertSucceeded(await RunAsync(Production(), "migrate"));
        var expired = await EventAsync(DateTime.UtcNow.AddDays(-40));
        var kept = await EventAsync(DateTime.UtcNow.AddDays(-5));

        var dryRun = await RunAsync(Production(), "prune", "--dry-run");
        AssertSucceeded(dryRun);
        Assert.Matches(@"events\s+1 would be deleted", dryRun.Stdout);
        Assert.Matches(@"audit_log\s+0 would be deleted", dryRun.Stdout);
        Assert.Equal([expired, kept], await EventIdsAsync());

        var pass = await RunAsync(Production(("Retention__EventDays", "3")), "prune");
        AssertSucceeded(pass);
        Assert.Matches(@"events\s+2 deleted", pass.Stdout);
        Assert.Empty(await EventIdsAsync());
    }

    [Fact]
    public async Task AnInvalidWindowIsOneSentence()
    {
        var outcome = await RunAsync(Production(("Retention__EventDays", "0")), "prune", "--dry-run");
        Assert.Contains("Retention:EventDays must be between 1 and 36500", AssertOneSentenceFailure(outcome, "prune"));
    }

    private SqliteCommunityDb Db() =>
        new((DbContextOptions<SqliteCommunityDb>)DatabaseSetup.UseSqlite(new DbContextOptionsBuilder<SqliteCommunityDb>(), $"Data Source={SqliteFile}").Options);

    private async Task<long> EventAsync(DateTime at)
    {
        await using var db = Db();
        var e = new OutboxEvent { Type = EventTypes.SettingsUpdated, OccurredAt = at, DataJson = "{}" };
        db.Events.Add(e);
        await db.SaveChangesAsync();
        return e.Id;
    }

    private async Task<List<long>> EventIdsAsync()
    {
        await using var db = Db();
        return await db.Events.OrderBy(e => e.Id).Select(e => e.Id).ToListAsync();
    }
}
