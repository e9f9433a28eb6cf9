using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

namespace OrchardShopify.AspNetCore.Persistence.Migrations;

/// <summary>
/// Inbox and push queue, customer links, sync log. Written by hand (the EF design-time tools do not
/// restore here) and shared by SQLite and PostgreSQL: column types follow the active provider.
/// </summary>
[DbContext(typeof(ShopifySyncDbContext))]
[Migration("20261101000000_InitialSyncSchema")]
internal sealed class InitialSyncSchema : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        var types = new ColumnTypes(migrationBuilder.ActiveProvider);

        migrationBuilder.CreateTable(
            name: ShopifySyncDbContext.WorkItemsTable,
            columns: table => new
            {
                id = table.Column<long>(type: types.Int64, nullable: false)
                    .Annotation("Sqlite:Autoincrement", true)
                    .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                kind = table.Column<int>(type: types.Int32, nullable: false),
                dedup_key = table.Column<string>(type: types.Text, maxLength: 200, nullable: true),
                store = table.Column<string>(type: types.Text, maxLength: 50, nullable: false),
                topic = table.Column<string>(type: types.Text, maxLength: 100, nullable: false),
                event_id = table.Column<string>(type: types.Text, maxLength: 200, nullable: true),
                triggered_at = table.Column<long>(type: types.Int64, nullable: true),
                api_version = table.Column<string>(type: types.Text, maxLength: 20, nullable: true),
                body = table.Column<byte[]>(type: types.Bytes, nullable: true),
                customer_id = table.Column<long>(type: types.Int64, nullable: true),
                user_id = table.Column<string>(type: types.Text, maxLength: 450, nullable: true),
                status = table.Column<int>(type: types.Int32, nullable: false),
                attempts = table.Column<int>(type: types.Int32, nullable: false),
                next_attempt_at = table.Column<long>(type: types.Int64, nullable: false),
                lease_owner = table.Column<string>(type: types.Text, maxLength: 200, nullable: true),
                lease_expires_at = table.Column<long>(type: types.Int64, nullable: true),
                last_error = table.Column<string>(type: types.Text, nullable: true),
                outcome = table.Column<string>(type: types.Text, maxLength: 50, nullable: true),
                received_at = table.Column<long>(type: types.Int64, nullable: false),
                processed_at = table.Column<long>(type: types.Int64, nullable: true),
            },
            constraints: table => table.PrimaryKey("pk_shopify_work_items", x => x.id));

        migrationBuilder.CreateIndex("ix_shopify_work_items_dedup", ShopifySyncDbContext.WorkItemsTable, ["kind", "dedup_key"], unique: true);
        migrationBuilder.CreateIndex("ix_shopify_work_items_due", ShopifySyncDbContext.WorkItemsTable, ["kind", "status", "next_attempt_at"]);
        migrationBuilder.CreateIndex("ix_shopify_work_items_customer", ShopifySyncDbContext.WorkItemsTable, ["store", "customer_id"]);

        migrationBuilder.CreateTable(
            name: ShopifySyncDbContext.LinksTable,
            columns: table => new
            {
                store = table.Column<string>(type: types.Text, maxLength: 50, nullable: false),
                customer_id = table.Column<long>(type: types.Int64, nullable: false),
                user_id = table.Column<string>(type: types.Text, maxLength: 450, nullable: false),
                linked_at = table.Column<long>(type: types.Int64, nullable: false),
                applied_updated_at = table.Column<long>(type: types.Int64, nullable: true),
                applied_triggered_at = table.Column<long>(type: types.Int64, nullable: true),
                has_synced_profile = table.Column<bool>(type: types.Boolean, nullable: false),
                synced_first_name = table.Column<string>(type: types.Text, nullable: true),
                synced_last_name = table.Column<string>(type: types.Text, nullable: true),
                synced_email = table.Column<string>(type: types.Text, nullable: true),
                synced_phone = table.Column<string>(type: types.Text, nullable: true),
            },
            constraints: table => table.PrimaryKey("pk_shopify_customer_links", x => new { x.store, x.customer_id }));

        migrationBuilder.CreateIndex("ix_shopify_customer_links_user", ShopifySyncDbContext.LinksTable, ["store", "user_id"], unique: true);
        migrationBuilder.CreateIndex("ix_shopify_customer_links_user_id", ShopifySyncDbContext.LinksTable, "user_id");

        migrationBuilder.CreateTable(
            name: ShopifySyncDbContext.SyncLogTable,
            columns: table => new
            {
                id = table.Column<long>(type: types.Int64, nullable: false)
                    .Annotation("Sqlite:Autoincrement", true)
                    .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                at = table.Column<long>(type: types.Int64, nullable: false),
                direction = table.Column<string>(type: types.Text, maxLength: 10, nullable: false),
                store = table.Column<string>(type: types.Text, maxLength: 50, nullable: false),
                topic = table.Column<string>(type: types.Text, maxLength: 100, nullable: false),
                customer_id = table.Column<long>(type: types.Int64, nullable: true),
                user_id = table.Column<string>(type: types.Text, maxLength: 450, nullable: true),
                outcome = table.Column<string>(type: types.Text, maxLength: 50, nullable: false),
                detail = table.Column<string>(type: types.Text, nullable: true),
                webhook_id = table.Column<string>(type: types.Text, maxLength: 200, nullable: true),
                attempt = table.Column<int>(type: types.Int32, nullable: true),
            },
            constraints: table => table.PrimaryKey("pk_shopify_sync_log", x => x.id));

        migrationBuilder.CreateIndex("ix_shopify_sync_log_at", ShopifySyncDbContext.SyncLogTable, "at");
        migrationBuilder.CreateIndex("ix_shopify_sync_log_customer", ShopifySyncDbContext.SyncLogTable, ["store", "customer_id"]);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable(ShopifySyncDbContext.SyncLogTable);
        migrationBuilder.DropTable(ShopifySyncDbContext.LinksTable);
        migrationBuilder.DropTable(ShopifySyncDbContext.WorkItemsTable);
    }

    private sealed class ColumnTypes(string? provider)
    {
        private readonly bool _postgres = provider == "Npgsql.EntityFrameworkCore.PostgreSQL";

        public string Int64 => _postgres ? "bigint" : "INTEGER";

        public string Int32 => _postgres ? "integer" : "INTEGER";

        public string Text => _postgres ? "text" : "TEXT";

        public string Bytes => _postgres ? "bytea" : "BLOB";

        public string Boolean => _postgres ? "boolean" : "INTEGER";
    }
}
