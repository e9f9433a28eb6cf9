using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace OrchardShopify.AspNetCore.Persistence.Migrations;

/// <summary>
/// The work items' customer index holds only rows whose customer is known. A delivery is stored before anything
/// reads its customer, so every webhook append used to add an entry (store, NULL) to this index; the only query
/// that uses it (erasing a customer's delivery bodies) asks for one customer id, which a partial index answers.
/// </summary>
[DbContext(typeof(ShopifySyncDbContext))]
[Migration(Id)]
internal sealed class PartialWorkItemsCustomerIndex : Migration
{
    public const string Id = "20261202000000_PartialWorkItemsCustomerIndex";

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropIndex(ShopifySyncDbContext.WorkItemsCustomerIndex, ShopifySyncDbContext.WorkItemsTable);
        migrationBuilder.CreateIndex(ShopifySyncDbContext.WorkItemsCustomerIndex, ShopifySyncDbContext.WorkItemsTable, ["store", "customer_id"], filter: ShopifySyncDbContext.KnownCustomerFilter);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropIndex(ShopifySyncDbContext.WorkItemsCustomerIndex, ShopifySyncDbContext.WorkItemsTable);
        migrationBuilder.CreateIndex(ShopifySyncDbContext.WorkItemsCustomerIndex, ShopifySyncDbContext.WorkItemsTable, ["store", "customer_id"]);
    }
}
