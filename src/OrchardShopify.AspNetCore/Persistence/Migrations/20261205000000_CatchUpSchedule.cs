using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using OrchardShopify.AspNetCore.CatchUp;

namespace OrchardShopify.AspNetCore.Persistence.Migrations;

/// <summary>The scheduled catch-up's state per store: watermark, next run, the running node's claim and the last run's outcome.</summary>
[DbContext(typeof(ShopifySyncDbContext))]
[Migration(Id)]
internal sealed class CatchUpSchedule : Migration
{
    public const string Id = "20261205000000_CatchUpSchedule";

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        var postgres = migrationBuilder.ActiveProvider == "Npgsql.EntityFrameworkCore.PostgreSQL";
        var int64 = postgres ? "bigint" : "INTEGER";
        var text = postgres ? "text" : "TEXT";
        migrationBuilder.CreateTable(
            name: CatchUpRow.Table,
            columns: table => new
            {
                store = table.Column<string>(type: text, maxLength: 50, nullable: false),
                watermark = table.Column<long>(type: int64, nullable: false),
                next_run_at = table.Column<long>(type: int64, nullable: false),
                lease_owner = table.Column<string>(type: text, maxLength: 200, nullable: true),
                lease_expires_at = table.Column<long>(type: int64, nullable: true),
                last_started_at = table.Column<long>(type: int64, nullable: true),
                last_finished_at = table.Column<long>(type: int64, nullable: true),
                last_outcome = table.Column<string>(type: text, maxLength: 20, nullable: true),
                last_fetched = table.Column<long>(type: int64, nullable: false),
                last_applied = table.Column<long>(type: int64, nullable: false),
                last_unchanged = table.Column<long>(type: int64, nullable: false),
                last_skipped = table.Column<long>(type: int64, nullable: false),
                last_failed = table.Column<long>(type: int64, nullable: false),
                last_error = table.Column<string>(type: text, nullable: true),
            },
            constraints: table => table.PrimaryKey("pk_shopify_catch_up", x => x.store));
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable(CatchUpRow.Table);
    }
}
