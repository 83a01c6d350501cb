using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Community.Api.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class MemberCountedOnCommit : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // A new viewer's join (Memberships.JoinCreatedUserAsync) counts its membership at COMMIT, not when it inserts
            // it: every join into a community queues on that community's row lock, and a lock taken by a statement is
            // held until the client's COMMIT arrives one round trip later; taken by a deferred trigger it is held only
            // for the commit itself. The insert asks for it with the transaction-local setting community.count_on_commit
            // (no other insert is counted here); a community deactivated meanwhile fails the COMMIT with SQLSTATE CM409,
            // so the whole join rolls back (DbErrors.IsCommunityInactiveAtCommit).
            migrationBuilder.Sql("""
                CREATE FUNCTION community_members_count_on_commit() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    UPDATE communities SET member_count = member_count + 1 WHERE id = NEW.community_id AND is_active;
                    IF NOT FOUND THEN
                        RAISE EXCEPTION 'community % is deactivated', NEW.community_id USING ERRCODE = 'CM409';
                    END IF;
                    RETURN NULL;
                END $$;
                CREATE CONSTRAINT TRIGGER community_members_count_on_commit AFTER INSERT ON community_members
                    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
                    WHEN (current_setting('community.count_on_commit', true) = 'on')
                    EXECUTE FUNCTION community_members_count_on_commit();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER IF EXISTS community_members_count_on_commit ON community_members;
                DROP FUNCTION IF EXISTS community_members_count_on_commit();
                """);
        }
    }
}
