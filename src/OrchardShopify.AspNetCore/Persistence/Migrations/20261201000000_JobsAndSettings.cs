using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using OrchardShopify.AspNetCore.Jobs;
using OrchardShopify.AspNetCore.Settings;

namespace OrchardShopify.AspNetCore.Persistence.Migrations;

/// <summary>Background jobs (import, reconciliation) with their progress, and settings saved by administrators.</summary>
[DbContext(typeof(ShopifySyncDbContext))]
[Migration(Id)]
internal sealed class JobsAndSettings : Migration
{
    public const string Id = "20261201000000_JobsAndSettings";

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        var postgres = migrationBuilder.ActiveProvider == "Npgsql.EntityFrameworkCore.PostgreSQL";
        var int64 = postgres ? "bigint" : "INTEGER";
        var int32 = postgres ? "integer" : "INTEGER";
        var text = postgres ? "text" : "TEXT";
        var boolean = postgres ? "boolean" : "INTEGER";

        migrationBuilder.CreateTable(
            name: SyncJobRow.Table,
            columns: table => new
            {
                id = table.Column<string>(type: text, maxLength: 40, nullable: false),
                kind = table.Column<string>(type: text, maxLength: 20, nullable: false),
                store = table.Column<string>(type: text, maxLength: 50, nullable: false),
                status = table.Column<int>(type: int32, nullable: false),
                owner = table.Column<string>(type: text, maxLength: 200, nullable: false),
                started_at = table.Column<long>(type: int64, nullable: false),
                heartbeat_at = table.Column<long>(type: int64, nullable: false),
                finished_at = table.Column<long>(type: int64, nullable: true),
                cancel_requested = table.Column<bool>(type: boolean, nullable: false),
                parameters = table.Column<string>(type: text, nullable: true),
                state = table.Column<string>(type: text, nullable: true),
                error = table.Column<string>(type: text, nullable: true),
            },
            constraints: table => table.PrimaryKey("pk_shopify_sync_jobs", x => x.id));

        // One running job per store, across every node sharing the database.
        migrationBuilder.CreateIndex("ix_shopify_sync_jobs_running", SyncJobRow.Table, "store", unique: true, filter: $"status = {(int)SyncJobStatus.Running}");
        migrationBuilder.CreateIndex("ix_shopify_sync_jobs_store", SyncJobRow.Table, ["store", "kind", "started_at"]);

        migrationBuilder.CreateTable(
            name: SettingRow.Table,
            columns: table => new
            {
                key = table.Column<string>(type: text, maxLength: 200, nullable: false),
                value = table.Column<string>(type: text, nullable: true),
                is_secret = table.Column<bool>(type: boolean, nullable: false),
                updated_at = table.Column<long>(type: int64, nullable: false),
            },
            constraints: table => table.PrimaryKey("pk_shopify_settings", x => x.key));
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable(SettingRow.Table);
        migrationBuilder.DropTable(SyncJobRow.Table);
    }
}
