using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Community.Api.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class LockFreeEventIds : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Event ids no longer come from a sequence under a global advisory lock (every writer serialised on it from
            // its first event to its commit). An id is now the writing transaction's id shifted left by 12 bits plus the
            // event's place in that transaction (a transaction-local counter), so writers never wait for each other and
            // readers stop at the horizon below which every transaction has finished (Events/FeedHorizon.cs).
            // Transaction ids only grow, so new ids land above every sequence-made id of a database that already holds
            // events unless its transaction counter is tiny; that case is refused here rather than reordered silently.
            migrationBuilder.Sql("""
                DO $$
                BEGIN
                    IF (SELECT coalesce(max(id), 0) FROM events) >= (pg_current_xact_id()::text::bigint << 12) THEN
                        RAISE EXCEPTION 'events already hold ids above the first transaction-based id; renumber them before this migration';
                    END IF;
                END $$;
                DROP TRIGGER IF EXISTS events_commit_ordered_id ON events;
                DROP FUNCTION IF EXISTS events_assign_commit_ordered_id();
                CREATE FUNCTION events_assign_id() RETURNS trigger LANGUAGE plpgsql AS $$
                DECLARE
                    place int := coalesce(nullif(current_setting('community.event_place', true), ''), '0')::int + 1;
                BEGIN
                    IF place > 4095 THEN
                        RAISE EXCEPTION 'a transaction may write at most 4095 events';
                    END IF;
                    PERFORM set_config('community.event_place', place::text, true);
                    NEW.id := (pg_current_xact_id()::text::bigint << 12) | place;
                    RETURN NEW;
                END $$;
                CREATE TRIGGER events_assign_id BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION events_assign_id();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER IF EXISTS events_assign_id ON events;
                DROP FUNCTION IF EXISTS events_assign_id();
                SELECT setval(pg_get_serial_sequence('events', 'id'), (SELECT coalesce(max(id), 0) + 1 FROM events), false);
                CREATE FUNCTION events_assign_commit_ordered_id() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM pg_advisory_xact_lock(7427001);
                    NEW.id := nextval(pg_get_serial_sequence('events', 'id'));
                    RETURN NEW;
                END $$;
                CREATE TRIGGER events_commit_ordered_id BEFORE INSERT ON events
                    FOR EACH ROW EXECUTE FUNCTION events_assign_commit_ordered_id();
                """);
        }
    }
}
