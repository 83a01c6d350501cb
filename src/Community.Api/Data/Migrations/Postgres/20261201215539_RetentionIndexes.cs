using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Community.Api.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class RetentionIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Hand-written (carry over if this migration is regenerated): the indexes retention prunes by, built
            // CONCURRENTLY so that adding them to a large live database does not block writes to events, deliveries or
            // the audit log while they build. CONCURRENTLY cannot run inside a transaction, hence suppressTransaction;
            // IF NOT EXISTS lets a retry after an interrupted build finish (an invalid leftover must be dropped first).
            migrationBuilder.Sql("CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_webhook_deliveries_created_at ON webhook_deliveries (created_at);", suppressTransaction: true);
            migrationBuilder.Sql("CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_events_occurred_at ON events (occurred_at);", suppressTransaction: true);
            migrationBuilder.Sql("CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_audit_log_occurred_at ON audit_log (occurred_at);", suppressTransaction: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_webhook_deliveries_created_at",
                table: "webhook_deliveries");

            migrationBuilder.DropIndex(
                name: "ix_events_occurred_at",
                table: "events");

            migrationBuilder.DropIndex(
                name: "ix_audit_log_occurred_at",
                table: "audit_log");
        }
    }
}
