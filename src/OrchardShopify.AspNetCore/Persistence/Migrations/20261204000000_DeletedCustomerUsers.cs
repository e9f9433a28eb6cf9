using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace OrchardShopify.AspNetCore.Persistence.Migrations;

/// <summary>
/// A deleted customer remembers the user it was linked to, so an ordinary save of that user does not create or match
/// a customer again; only a deliberate send does (and forgets the user here). Rows that name a user are kept past the
/// sync log's retention.
/// </summary>
[DbContext(typeof(ShopifySyncDbContext))]
[Migration(Id)]
internal sealed class DeletedCustomerUsers : Migration
{
    public const string Id = "20261204000000_DeletedCustomerUsers";

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        var postgres = migrationBuilder.ActiveProvider == "Npgsql.EntityFrameworkCore.PostgreSQL";
        migrationBuilder.AddColumn<string>("user_id", DeletedCustomerRow.Table, type: postgres ? "text" : "TEXT", maxLength: 450, nullable: true);
        migrationBuilder.CreateIndex(ShopifySyncDbContext.DeletedCustomersUserIndex, DeletedCustomerRow.Table, ["store", "user_id"], filter: "user_id IS NOT NULL");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropIndex(ShopifySyncDbContext.DeletedCustomersUserIndex, DeletedCustomerRow.Table);
        migrationBuilder.DropColumn("user_id", DeletedCustomerRow.Table);
    }
}
