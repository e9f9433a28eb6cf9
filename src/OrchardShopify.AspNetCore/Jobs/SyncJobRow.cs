using Microsoft.EntityFrameworkCore;

namespace OrchardShopify.AspNetCore.Jobs;

/// <summary>How a background job (import, reconciliation) ended, or that it still runs.</summary>
public enum SyncJobStatus
{
    Running = 1,
    Succeeded = 2,
    Failed = 3,
    Canceled = 4,

    /// <summary>The node running it stopped (shutdown or crash) before it finished; starting it again is safe.</summary>
    Interrupted = 5,
}

/// <summary>
/// One background job of a store. At most one runs per store (both kinds run a bulk operation, of which Shopify
/// allows one per shop): a unique index on the store over running rows. The owner writes its progress and a
/// heartbeat every second, so any node can show it and a job whose node died is recognised.
/// </summary>
internal sealed class SyncJobRow
{
    public const string Table = "shopify_sync_jobs";

    public required string Id { get; set; }

    public required string Kind { get; set; }

    public required string StoreHandle { get; set; }

    public SyncJobStatus Status { get; set; }

    public required string Owner { get; set; }

    public long StartedAt { get; set; }

    public long HeartbeatAt { get; set; }

    public long? FinishedAt { get; set; }

    public bool CancelRequested { get; set; }

    /// <summary>The job's request (mode, since…), JSON.</summary>
    public string? Parameters { get; set; }

    /// <summary>The latest progress, or the final summary or report, JSON.</summary>
    public string? State { get; set; }

    public string? Error { get; set; }

    public static void Configure(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<SyncJobRow>(job =>
        {
            job.ToTable(Table);
            job.HasKey(x => x.Id);
            job.Property(x => x.Id).HasColumnName("id").HasMaxLength(40);
            job.Property(x => x.Kind).HasColumnName("kind").HasMaxLength(20);
            job.Property(x => x.StoreHandle).HasColumnName("store").HasMaxLength(50);
            job.Property(x => x.Status).HasColumnName("status");
            job.Property(x => x.Owner).HasColumnName("owner").HasMaxLength(200);
            job.Property(x => x.StartedAt).HasColumnName("started_at");
            job.Property(x => x.HeartbeatAt).HasColumnName("heartbeat_at");
            job.Property(x => x.FinishedAt).HasColumnName("finished_at");
            job.Property(x => x.CancelRequested).HasColumnName("cancel_requested");
            job.Property(x => x.Parameters).HasColumnName("parameters");
            job.Property(x => x.State).HasColumnName("state");
            job.Property(x => x.Error).HasColumnName("error");
            job.HasIndex(x => x.StoreHandle).IsUnique().HasFilter($"status = {(int)SyncJobStatus.Running}").HasDatabaseName("ix_shopify_sync_jobs_running");
            job.HasIndex(x => new { x.StoreHandle, x.Kind, x.StartedAt }).HasDatabaseName("ix_shopify_sync_jobs_store");
        });
    }
}
