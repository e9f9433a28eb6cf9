using Microsoft.EntityFrameworkCore;

namespace OrchardShopify.AspNetCore.Reconciliation;

/// <summary>
/// The scheduled reconciliation of one store: when the next run is due and the job the last scheduled run started. One
/// row per store; a node starts the run only after claiming it (due, in one update that moves the next run on), so one
/// run happens per interval across nodes. The job itself is the admin's reconciliation job (<c>shopify_sync_jobs</c>).
/// </summary>
internal sealed class ReconciliationScheduleRow
{
    public const string Table = "shopify_reconcile_schedule";

    public required string StoreHandle { get; set; }

    public long NextRunAt { get; set; }

    /// <summary>The node that claimed the last run.</summary>
    public string? ClaimedBy { get; set; }

    public long? LastClaimedAt { get; set; }

    /// <summary>The reconciliation job the last scheduled run started; null when it could not start.</summary>
    public string? LastJobId { get; set; }

    /// <summary>Why the last scheduled run did not start (another job of the store was running); null when it started.</summary>
    public string? LastSkipReason { get; set; }

    public static void Configure(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<ReconciliationScheduleRow>(row =>
        {
            row.ToTable(Table);
            row.HasKey(x => x.StoreHandle);
            row.Property(x => x.StoreHandle).HasColumnName("store").HasMaxLength(50);
            row.Property(x => x.NextRunAt).HasColumnName("next_run_at");
            row.Property(x => x.ClaimedBy).HasColumnName("claimed_by").HasMaxLength(200);
            row.Property(x => x.LastClaimedAt).HasColumnName("last_claimed_at");
            row.Property(x => x.LastJobId).HasColumnName("last_job_id").HasMaxLength(40);
            row.Property(x => x.LastSkipReason).HasColumnName("last_skip_reason");
        });
    }
}
