using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Community.Api.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class LockFreeEventIds : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Nothing to do: SQLite has one writer at a time, so its autoincrement ids are already commit-ordered.
            // The migration exists so both providers keep the same history (see the PostgreSQL one of this name).
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
        }
    }
}
