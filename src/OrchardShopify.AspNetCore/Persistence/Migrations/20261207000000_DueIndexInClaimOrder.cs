using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace OrchardShopify.AspNetCore.Persistence.Migrations;

/// <summary>
/// The due index ends with the item's id, so it is in the order a claim takes items (<c>next_attempt_at, id</c>). On
/// PostgreSQL a claim then reads the index up to the batch size and stops; before, the server read every due item to
/// sort them (or planned on a table it believed empty, as a new database is until it is first analyzed, and sorted
/// them all at every claim: about 10 ms per claim with 10,000 deliveries waiting). SQLite indexes end with the row id
/// already: there the index is the same as before.
/// </summary>
[DbContext(typeof(ShopifySyncDbContext))]
[Migration(Id)]
internal sealed class DueIndexInClaimOrder : Migration
{
    public const string Id = "20261207000000_DueIndexInClaimOrder";

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropIndex(ShopifySyncDbContext.WorkItemsDueIndex, ShopifySyncDbContext.WorkItemsTable);
        migrationBuilder.CreateIndex(ShopifySyncDbContext.WorkItemsDueIndex, ShopifySyncDbContext.WorkItemsTable, ["kind", "status", "next_attempt_at", "id"]);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropIndex(ShopifySyncDbContext.WorkItemsDueIndex, ShopifySyncDbContext.WorkItemsTable);
        migrationBuilder.CreateIndex(ShopifySyncDbContext.WorkItemsDueIndex, ShopifySyncDbContext.WorkItemsTable, ["kind", "status", "next_attempt_at"]);
    }
}
