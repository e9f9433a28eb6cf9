using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace OrchardShopify.AspNetCore.Persistence.Migrations;

/// <summary>
/// Customers Shopify deleted (customers/delete, customers/redact), per store, so a create or update of one that
/// arrives after its deletion links no user. Pruned with the sync log.
/// </summary>
[DbContext(typeof(ShopifySyncDbContext))]
[Migration(Id)]
internal sealed class DeletedCustomers : Migration
{
    public const string Id = "20261203000000_DeletedCustomers";

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        var postgres = migrationBuilder.ActiveProvider == "Npgsql.EntityFrameworkCore.PostgreSQL";
        var int64 = postgres ? "bigint" : "INTEGER";
        migrationBuilder.CreateTable(
            name: DeletedCustomerRow.Table,
            columns: table => new
            {
                store = table.Column<string>(type: postgres ? "text" : "TEXT", maxLength: 50, nullable: false),
                customer_id = table.Column<long>(type: int64, nullable: false),
                deleted_at = table.Column<long>(type: int64, nullable: false),
            },
            constraints: table => table.PrimaryKey("pk_shopify_deleted_customers", x => new { x.store, x.customer_id }));
        migrationBuilder.CreateIndex("ix_shopify_deleted_customers_at", DeletedCustomerRow.Table, "deleted_at");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable(DeletedCustomerRow.Table);
    }
}
