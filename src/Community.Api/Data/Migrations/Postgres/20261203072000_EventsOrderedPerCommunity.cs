using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Community.Api.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class EventsOrderedPerCommunity : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // An event's id is its transaction's id (LockFreeEventIds), drawn at the transaction's first write, not at its
            // commit: a write that draws its id, then waits for another writer of the same community (a lock, a unique
            // index) and acts on what that one committed, would be numbered before the event it follows, and the feed,
            // relays and webhooks (in id order, "in order per community") would tell them backwards.
            // So at COMMIT (a deferred trigger, once per transaction) a transaction whose community already holds a
            // committed event numbered above its own moves its community events above it: to a transaction id drawn now,
            // newer than every id handed out so far, which only a subtransaction can draw (a row lock inside a block with
            // an EXCEPTION clause). Events keep their place in the transaction; those of no community stay where they
            // are. Every event a transaction saw committed before it commits is then numbered before its own;
            // transactions committing at the same moment saw nothing of each other, and either order is true. The id
            // stays above pg_snapshot_xmin while the transaction runs, so the feed's horizon (Events/FeedHorizon.cs)
            // still never passes an event that commits later. No lock is taken.
            migrationBuilder.Sql("""
                CREATE FUNCTION events_follow_committed() RETURNS trigger LANGUAGE plpgsql AS $$
                DECLARE
                    own bigint := pg_current_xact_id()::text::bigint;
                    first_id bigint := own << 12;      -- this transaction's ids lie between these two (events_assign_id)
                    past_id bigint := (own + 1) << 12;
                    drawn bigint;
                BEGIN
                    IF current_setting('community.events_ordered', true) = 'on' THEN RETURN NULL; END IF;
                    PERFORM set_config('community.events_ordered', 'on', true);
                    IF NOT EXISTS (
                        SELECT 1 FROM events mine
                        WHERE mine.id > first_id AND mine.id < past_id AND mine.community_id IS NOT NULL
                          AND EXISTS (SELECT 1 FROM events other WHERE other.community_id = mine.community_id AND other.id >= past_id))
                    THEN
                        RETURN NULL;
                    END IF;
                    -- Locking our own new row in a subtransaction draws its id and leaves it in the row's xmax (a plain
                    -- id: nobody else can see the row to lock it too) without writing a new version of the row.
                    BEGIN
                        PERFORM 1 FROM events WHERE id = NEW.id FOR UPDATE;
                    EXCEPTION WHEN OTHERS THEN RAISE;
                    END;
                    SELECT xmax::text::bigint INTO drawn FROM events WHERE id = NEW.id;
                    -- xmax holds 32 bits; the subtransaction's id is the first one above ours with them.
                    drawn := own + ((drawn - own) & 4294967295);
                    UPDATE events SET id = (drawn << 12) | (id & 4095)
                    WHERE id > first_id AND id < past_id AND community_id IS NOT NULL;
                    RETURN NULL;
                END $$;
                CREATE CONSTRAINT TRIGGER events_follow_committed AFTER INSERT ON events
                    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
                    WHEN (NEW.community_id IS NOT NULL)
                    EXECUTE FUNCTION events_follow_committed();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER IF EXISTS events_follow_committed ON events;
                DROP FUNCTION IF EXISTS events_follow_committed();
                """);
        }
    }
}
