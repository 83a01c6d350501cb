using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Community.Api.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class WebhookQueueIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Hand-written (carry over if this migration is regenerated): built CONCURRENTLY, as RetentionIndexes are, so
            // that a large live webhook_deliveries is not locked against writes while it builds; the new index is in
            // place before the one it replaces goes.
            migrationBuilder.Sql("CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_webhook_deliveries_pending_queues ON webhook_deliveries (subscription_id, community_id, event_id) WHERE status = 'pending';", suppressTransaction: true);
            migrationBuilder.Sql("DROP INDEX CONCURRENTLY IF EXISTS ix_webhook_deliveries_subscription_id_community_id_status_even;", suppressTransaction: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_webhook_deliveries_pending_queues",
                table: "webhook_deliveries");

            migrationBuilder.CreateIndex(
                name: "ix_webhook_deliveries_subscription_id_community_id_status_even",
                table: "webhook_deliveries",
                columns: new[] { "subscription_id", "community_id", "status", "event_id" });
        }
    }
}
