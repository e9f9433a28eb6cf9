using Microsoft.EntityFrameworkCore;

namespace OrchardShopify.AspNetCore.CatchUp;

/// <summary>
/// The scheduled catch-up of one store: the watermark (customers updated after it are read by the next run), when the
/// next run is due, the claim of the node running it, and the last run's outcome and counts. One row per store; a node
/// runs the store only after claiming it (due and not claimed, in one update), so one run happens per interval across nodes.
/// </summary>
internal sealed class CatchUpRow
{
    public const string Table = "shopify_catch_up";

    public required string StoreHandle { get; set; }

    /// <summary>The last successful run's start minus the overlap (unix ms); the next run reads customers updated after it.</summary>
    public long Watermark { get; set; }

    public long NextRunAt { get; set; }

    public string? LeaseOwner { get; set; }

    public long? LeaseExpiresAt { get; set; }

    public long? LastStartedAt { get; set; }

    public long? LastFinishedAt { get; set; }

    /// <summary><c>succeeded</c> or <c>failed</c>; null before the first run.</summary>
    public string? LastOutcome { get; set; }

    public long LastFetched { get; set; }

    public long LastApplied { get; set; }

    public long LastUnchanged { get; set; }

    public long LastSkipped { get; set; }

    public long LastFailed { get; set; }

    public string? LastError { get; set; }

    public static void Configure(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<CatchUpRow>(row =>
        {
            row.ToTable(Table);
            row.HasKey(x => x.StoreHandle);
            row.Property(x => x.StoreHandle).HasColumnName("store").HasMaxLength(50);
            row.Property(x => x.Watermark).HasColumnName("watermark");
            row.Property(x => x.NextRunAt).HasColumnName("next_run_at");
            row.Property(x => x.LeaseOwner).HasColumnName("lease_owner").HasMaxLength(200);
            row.Property(x => x.LeaseExpiresAt).HasColumnName("lease_expires_at");
            row.Property(x => x.LastStartedAt).HasColumnName("last_started_at");
            row.Property(x => x.LastFinishedAt).HasColumnName("last_finished_at");
            row.Property(x => x.LastOutcome).HasColumnName("last_outcome").HasMaxLength(20);
            row.Property(x => x.LastFetched).HasColumnName("last_fetched");
            row.Property(x => x.LastApplied).HasColumnName("last_applied");
            row.Property(x => x.LastUnchanged).HasColumnName("last_unchanged");
            row.Property(x => x.LastSkipped).HasColumnName("last_skipped");
            row.Property(x => x.LastFailed).HasColumnName("last_failed");
            row.Property(x => x.LastError).HasColumnName("last_error");
        });
    }
}
