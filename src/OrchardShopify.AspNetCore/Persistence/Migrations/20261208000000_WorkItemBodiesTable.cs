using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace OrchardShopify.AspNetCore.Persistence.Migrations;

/// <summary>
/// Deliveries' payloads move out of the work-item rows into a table of their own (<see cref="WorkItemBodyRow"/>), keyed
/// by the item's id and deleted with it. Claims, completions and retries rewrite a work item's row; on PostgreSQL each
/// rewrite is a new version of the whole row, and a customer's payload of about 2 KB stayed in it (PostgreSQL moves a
/// value out of the row only when the row is larger than about 2 KB). The payloads stored so far are copied over.
/// </summary>
[DbContext(typeof(ShopifySyncDbContext))]
[Migration(Id)]
internal sealed class WorkItemBodiesTable : Migration
{
    public const string Id = "20261208000000_WorkItemBodiesTable";

    private const string Items = ShopifySyncDbContext.WorkItemsTable;
    private const string Bodies = WorkItemBodyRow.Table;

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        var postgres = migrationBuilder.ActiveProvider == "Npgsql.EntityFrameworkCore.PostgreSQL";
        if (postgres)
        {
            // Until the column is dropped nothing else reads or writes the work items: a payload another node stored
            // after the copy began would be dropped with the column, and a lock taken weaker first and stronger later
            // (for the drop) could deadlock with a transaction doing the same. SQLite: the migration's first statement
            // already takes the database's only write lock.
            migrationBuilder.Sql($"LOCK TABLE {Items} IN ACCESS EXCLUSIVE MODE");
        }

        migrationBuilder.CreateTable(
            name: Bodies,
            columns: table => new
            {
                id = table.Column<long>(type: postgres ? "bigint" : "INTEGER", nullable: false),
                body = table.Column<byte[]>(type: postgres ? "bytea" : "BLOB", nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("pk_shopify_work_item_bodies", x => x.id);
                table.ForeignKey("fk_shopify_work_item_bodies_item", x => x.id, Items, "id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.Sql($"INSERT INTO {Bodies} (id, body) SELECT id, body FROM {Items} WHERE body IS NOT NULL");

        if (postgres)
        {
            // PostgreSQL's DROP COLUMN leaves the values in the rows until each row is next written: cleared first, so
            // no payload stays on disk after its erasure (which now deletes the payload's own row) or its retention.
            migrationBuilder.Sql($"UPDATE {Items} SET body = NULL WHERE body IS NOT NULL");
        }

        // SQLite drops a column by rewriting the table (3.35 and later) when nothing indexes it, as nothing does this one.
        migrationBuilder.Sql($"ALTER TABLE {Items} DROP COLUMN body");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        var postgres = migrationBuilder.ActiveProvider == "Npgsql.EntityFrameworkCore.PostgreSQL";
        migrationBuilder.AddColumn<byte[]>("body", Items, type: postgres ? "bytea" : "BLOB", nullable: true);
        migrationBuilder.Sql($"UPDATE {Items} SET body = (SELECT b.body FROM {Bodies} AS b WHERE b.id = {Items}.id)");
        migrationBuilder.DropTable(Bodies);
    }
}
