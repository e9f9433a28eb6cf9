using Microsoft.EntityFrameworkCore;
using OrchardShopify.AspNetCore.CatchUp;
using OrchardShopify.AspNetCore.Jobs;
using OrchardShopify.AspNetCore.Reconciliation;
using OrchardShopify.AspNetCore.Settings;

namespace OrchardShopify.AspNetCore.Persistence;

/// <summary>The sync's own tables: inbox and push queue, customer links, sync log. Column names match the hand-written migrations and the claim SQL.</summary>
internal sealed class ShopifySyncDbContext(DbContextOptions<ShopifySyncDbContext> options) : DbContext(options)
{
    public const string WorkItemsTable = "shopify_work_items";
    public const string LinksTable = "shopify_customer_links";
    public const string SyncLogTable = "shopify_sync_log";

    /// <summary>Work items by store and customer, for rows whose customer is known (see <see cref="KnownCustomerFilter"/>).</summary>
    internal const string WorkItemsCustomerIndex = "ix_shopify_work_items_customer";

    /// <summary>Due work items in the order claims take them (kind, status, next attempt, id).</summary>
    internal const string WorkItemsDueIndex = "ix_shopify_work_items_due";

    /// <summary>
    /// The customer index's filter: a delivery's customer is recorded when it is worked (or fails), so webhook appends (customer
    /// still unknown) add nothing to that index. Look-ups by one customer id use it on SQLite and PostgreSQL alike.
    /// </summary>
    internal const string KnownCustomerFilter = "customer_id IS NOT NULL";

    internal const string DeletedCustomersUserIndex = "ix_shopify_deleted_customers_user";

    public DbSet<WorkItem> WorkItems => Set<WorkItem>();

    public DbSet<WorkItemBodyRow> WorkItemBodies => Set<WorkItemBodyRow>();

    public DbSet<CustomerLinkRow> Links => Set<CustomerLinkRow>();

    public DbSet<SyncLogRow> SyncLog => Set<SyncLogRow>();

    public DbSet<DeletedCustomerRow> DeletedCustomers => Set<DeletedCustomerRow>();

    public DbSet<SyncJobRow> Jobs => Set<SyncJobRow>();

    public DbSet<SettingRow> Settings => Set<SettingRow>();

    public DbSet<CatchUpRow> CatchUp => Set<CatchUpRow>();

    public DbSet<ReconciliationScheduleRow> ReconciliationSchedule => Set<ReconciliationScheduleRow>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<WorkItem>(item =>
        {
            item.ToTable(WorkItemsTable);
            item.HasKey(x => x.Id);
            item.Property(x => x.Id).HasColumnName("id").ValueGeneratedOnAdd();
            item.Property(x => x.Kind).HasColumnName("kind");
            item.Property(x => x.DedupKey).HasColumnName("dedup_key").HasMaxLength(200);
            item.Property(x => x.StoreHandle).HasColumnName("store").HasMaxLength(50);
            item.Property(x => x.Topic).HasColumnName("topic").HasMaxLength(100);
            item.Property(x => x.EventId).HasColumnName("event_id").HasMaxLength(200);
            item.Property(x => x.TriggeredAt).HasColumnName("triggered_at");
            item.Property(x => x.ApiVersion).HasColumnName("api_version").HasMaxLength(20);
            item.Ignore(x => x.Body);
            item.Property(x => x.CustomerId).HasColumnName("customer_id");
            item.Property(x => x.UserId).HasColumnName("user_id").HasMaxLength(450);
            item.Property(x => x.Status).HasColumnName("status");
            item.Property(x => x.Attempts).HasColumnName("attempts");
            item.Property(x => x.NextAttemptAt).HasColumnName("next_attempt_at");
            item.Property(x => x.LeaseOwner).HasColumnName("lease_owner").HasMaxLength(200);
            item.Property(x => x.LeaseExpiresAt).HasColumnName("lease_expires_at");
            item.Property(x => x.LastError).HasColumnName("last_error");
            item.Property(x => x.Outcome).HasColumnName("outcome").HasMaxLength(50);
            item.Property(x => x.ReceivedAt).HasColumnName("received_at");
            item.Property(x => x.ProcessedAt).HasColumnName("processed_at");
            item.HasIndex(x => new { x.Kind, x.DedupKey }).IsUnique().HasDatabaseName("ix_shopify_work_items_dedup");
            item.HasIndex(x => new { x.Kind, x.Status, x.NextAttemptAt, x.Id }).HasDatabaseName(WorkItemsDueIndex);
            item.HasIndex(x => new { x.StoreHandle, x.CustomerId }).HasDatabaseName(WorkItemsCustomerIndex).HasFilter(KnownCustomerFilter);
        });

        modelBuilder.Entity<WorkItemBodyRow>(body =>
        {
            body.ToTable(WorkItemBodyRow.Table);
            body.HasKey(x => x.Id);
            body.Property(x => x.Id).HasColumnName("id").ValueGeneratedNever();
            body.Property(x => x.Body).HasColumnName("body");
            body.HasOne<WorkItem>().WithOne().HasForeignKey<WorkItemBodyRow>(x => x.Id).OnDelete(DeleteBehavior.Cascade).HasConstraintName("fk_shopify_work_item_bodies_item");
        });

        modelBuilder.Entity<CustomerLinkRow>(link =>
        {
            link.ToTable(LinksTable);
            link.HasKey(x => new { x.StoreHandle, x.CustomerId });
            link.Property(x => x.StoreHandle).HasColumnName("store").HasMaxLength(50);
            link.Property(x => x.CustomerId).HasColumnName("customer_id").ValueGeneratedNever();
            link.Property(x => x.UserId).HasColumnName("user_id").HasMaxLength(450);
            link.Property(x => x.LinkedAt).HasColumnName("linked_at");
            link.Property(x => x.AppliedUpdatedAt).HasColumnName("applied_updated_at");
            link.Property(x => x.AppliedTriggeredAt).HasColumnName("applied_triggered_at");
            link.Property(x => x.HasSyncedProfile).HasColumnName("has_synced_profile");
            link.Property(x => x.SyncedFirstName).HasColumnName("synced_first_name");
            link.Property(x => x.SyncedLastName).HasColumnName("synced_last_name");
            link.Property(x => x.SyncedEmail).HasColumnName("synced_email");
            link.Property(x => x.SyncedPhone).HasColumnName("synced_phone");
            link.Property(x => x.Signals).HasColumnName("signals");
            link.HasIndex(x => new { x.StoreHandle, x.UserId }).IsUnique().HasDatabaseName("ix_shopify_customer_links_user");
            link.HasIndex(x => x.UserId).HasDatabaseName("ix_shopify_customer_links_user_id");
        });

        modelBuilder.Entity<SyncLogRow>(log =>
        {
            log.ToTable(SyncLogTable);
            log.HasKey(x => x.Id);
            log.Property(x => x.Id).HasColumnName("id").ValueGeneratedOnAdd();
            log.Property(x => x.At).HasColumnName("at");
            log.Property(x => x.Direction).HasColumnName("direction").HasMaxLength(10);
            log.Property(x => x.StoreHandle).HasColumnName("store").HasMaxLength(50);
            log.Property(x => x.Topic).HasColumnName("topic").HasMaxLength(100);
            log.Property(x => x.CustomerId).HasColumnName("customer_id");
            log.Property(x => x.UserId).HasColumnName("user_id").HasMaxLength(450);
            log.Property(x => x.Outcome).HasColumnName("outcome").HasMaxLength(50);
            log.Property(x => x.Detail).HasColumnName("detail");
            log.Property(x => x.WebhookId).HasColumnName("webhook_id").HasMaxLength(200);
            log.Property(x => x.Attempt).HasColumnName("attempt");
            log.HasIndex(x => x.At).HasDatabaseName("ix_shopify_sync_log_at");
            log.HasIndex(x => new { x.StoreHandle, x.CustomerId }).HasDatabaseName("ix_shopify_sync_log_customer");
        });

        modelBuilder.Entity<DeletedCustomerRow>(deleted =>
        {
            deleted.ToTable(DeletedCustomerRow.Table);
            deleted.HasKey(x => new { x.StoreHandle, x.CustomerId });
            deleted.Property(x => x.StoreHandle).HasColumnName("store").HasMaxLength(50);
            deleted.Property(x => x.CustomerId).HasColumnName("customer_id").ValueGeneratedNever();
            deleted.Property(x => x.DeletedAt).HasColumnName("deleted_at");
            deleted.HasIndex(x => x.DeletedAt).HasDatabaseName("ix_shopify_deleted_customers_at");
            deleted.Property(x => x.UserId).HasColumnName("user_id").HasMaxLength(450);
            deleted.HasIndex(x => new { x.StoreHandle, x.UserId }).HasDatabaseName(DeletedCustomersUserIndex).HasFilter("user_id IS NOT NULL");
        });

        SyncJobRow.Configure(modelBuilder);
        SettingRow.Configure(modelBuilder);
        CatchUpRow.Configure(modelBuilder);
        ReconciliationScheduleRow.Configure(modelBuilder);
    }
}
