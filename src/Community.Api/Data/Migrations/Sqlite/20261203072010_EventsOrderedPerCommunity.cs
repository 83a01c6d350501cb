using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Community.Api.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class EventsOrderedPerCommunity : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Nothing to do: SQLite has one writer at a time, so its ids already follow the order of commits.
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {

        }
    }
}
