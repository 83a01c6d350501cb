using Microsoft.EntityFrameworkCore;

namespace Community.Api.Tests.Infrastructure;

/// <summary>
/// Makes the database refuse to store events of one type (a trigger on the outbox) until disposed, so a test can
/// show that a write whose event cannot be written leaves no trace: the change and its event commit together.
/// </summary>
public static class EventFaults
{
    public static async Task<IAsyncDisposable> RefuseEvents(this TestApp app, string type)
    {
        var postgres = app.Provider == "postgres";
        await app.Db(db => db.Database.ExecuteSqlRawAsync(postgres
            ? $"""
              CREATE OR REPLACE FUNCTION test_refuse_event() RETURNS trigger LANGUAGE plpgsql AS $$
              BEGIN RAISE EXCEPTION 'test: event refused'; END $$;
              CREATE TRIGGER test_refuse_event BEFORE INSERT ON events FOR EACH ROW WHEN (NEW.type = '{type}') EXECUTE FUNCTION test_refuse_event();
              """
            : $"CREATE TRIGGER test_refuse_event BEFORE INSERT ON events WHEN NEW.type = '{type}' BEGIN SELECT RAISE(ABORT, 'test: event refused'); END;"));
        return new Lifted(app, postgres);
    }

    private sealed class Lifted(TestApp app, bool postgres) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() =>
            await app.Db(db => db.Database.ExecuteSqlRawAsync(postgres ? "DROP TRIGGER test_refuse_event ON events" : "DROP TRIGGER test_refuse_event"));
    }
}
