using Community.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Community.Api.Tests.Events;

/// <summary>
/// The feed's guarantee against the interleavings that could break it: many writers whose commits land in an order
/// unlike the order of their ids (see <see cref="EventTestSettings.AddCommitJitter"/>), a reader paging all along.
/// </summary>
public abstract class FeedNeverMissesTests(TestApp app) : EventsTest(app)
{
    /// <summary>
    /// A consumer pages with ?after= while 32 writers commit. Ids are handed out without any lock, so they are not in
    /// commit order; a reader that moved past an id whose transaction commits later would never see it.
    /// </summary>
    [Fact]
    public async Task FeedPagedDuringThirtyTwoConcurrentWritersSeesEveryEventExactlyOnce()
    {
        const int writerCount = 32;
        var start = await LastEventIdAsync();
        var writers = Task.WhenAll(Enumerable.Range(0, writerCount).Select(w => Task.Run(async () =>
        {
            var client = App.Service();
            var id = (await App.Community()).Long("id");
            for (var k = 0; k < 5; k++) await PatchSettingsAsync(id, $"writer {w} message {k}", client);
        })));

        var seen = new List<long>();
        var reader = App.Service();
        var after = start;
        // Bounded by time, not pages: a reader that has caught up asks again at once, and on a fast machine it used to run
        // out of pages before slow writers were done, stopping short of their last events.
        var giveUp = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (true)
        {
            var writersDone = writers.IsCompleted; // read before the page: a page after completion sees everything
            var body = await (await reader.GetAsync($"/api/v1/events?after={after}&limit=7", Ct)).Json();
            seen.AddRange(body.GetProperty("data").EnumerateArray().Select(e => e.Long("id")));
            after = body.GetProperty("meta").Long("next_after");
            if (writersDone && !body.GetProperty("meta").Bool("has_more")) break;
            Assert.True(DateTime.UtcNow < giveUp, "The writers took more than two minutes.");
        }
        await writers;

        var committed = await App.Db(db => db.Events.Where(e => e.Id > start).OrderBy(e => e.Id).Select(e => e.Id).ToListAsync());
        // Per writer: community.created, user.created (its new owner) and five settings.updated.
        Assert.Equal(writerCount * 7, committed.Count);
        Assert.Equal(committed, seen);
    }

}

public sealed class FeedNeverMissesTestsOnSqlite(JitteredSqliteApp app) : FeedNeverMissesTests(app), IClassFixture<JitteredSqliteApp>;

public sealed class FeedNeverMissesTestsOnPostgres(JitteredPostgresApp app) : FeedNeverMissesTests(app), IClassFixture<JitteredPostgresApp>;

public sealed class FeedNeverMissesTestsOnPgBouncer(JitteredPgBouncerApp app) : FeedNeverMissesTests(app), IClassFixture<JitteredPgBouncerApp>;
