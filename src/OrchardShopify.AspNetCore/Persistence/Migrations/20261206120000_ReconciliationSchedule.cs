using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using OrchardShopify.AspNetCore.Reconciliation;

namespace OrchardShopify.AspNetCore.Persistence.Migrations;

/// <summary>The scheduled reconciliation's state per store: next run, the claiming node and the job the last run started.</summary>
[DbContext(typeof(ShopifySyncDbContext))]
[Migration(Id)]
internal sealed class ReconciliationSchedule : Migration
{
    public const string Id = "20261206120000_ReconciliationSchedule";

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        var postgres = migrationBuilder.ActiveProvider == "Npgsql.EntityFrameworkCore.PostgreSQL";
        var int64 = postgres ? "bigint" : "INTEGER";
        var text = postgres ? "text" : "TEXT";
        migrationBuilder.CreateTable(
            name: ReconciliationScheduleRow.Table,
            columns: table => new
            {
                store = table.Column<string>(type: text, maxLength: 50, nullable: false),
                next_run_at = table.Column<long>(type: int64, nullable: false),
                claimed_by = table.Column<string>(type: text, maxLength: 200, nullable: true),
                last_claimed_at = table.Column<long>(type: int64, nullable: true),
                last_job_id = table.Column<string>(type: text, maxLength: 40, nullable: true),
                last_skip_reason = table.Column<string>(type: text, nullable: true),
            },
            constraints: table => table.PrimaryKey("pk_shopify_reconcile_schedule", x => x.store));
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable(ReconciliationScheduleRow.Table);
    }
}
