using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace OrchardShopify.AspNetCore.Persistence.Migrations;

/// <summary>
/// A link keeps its customer's commerce signals (orders, amount spent, tags, email marketing consent, account state,
/// verified email) as Shopify last reported them, as one JSON column; existing links get them with the next webhook,
/// catch-up or import.
/// </summary>
[DbContext(typeof(ShopifySyncDbContext))]
[Migration(Id)]
internal sealed class CustomerLinkSignals : Migration
{
    public const string Id = "20261206000000_CustomerLinkSignals";

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        var postgres = migrationBuilder.ActiveProvider == "Npgsql.EntityFrameworkCore.PostgreSQL";
        migrationBuilder.AddColumn<string>("signals", ShopifySyncDbContext.LinksTable, type: postgres ? "text" : "TEXT", nullable: true);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropColumn("signals", ShopifySyncDbContext.LinksTable);
    }
}
