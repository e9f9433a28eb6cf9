using OrchardShopify.AspNetCore.Jobs;

namespace OrchardShopify.AspNetCore.Backfill;

public enum CustomerImportMode
{
    /// <summary>Every customer of the store, exported with a bulk operation.</summary>
    All,

    /// <summary>Customers updated after <see cref="CustomerImportRequest.Since"/> (or the start of the last successful import), paged.</summary>
    Changed,
}

/// <param name="Since">For <see cref="CustomerImportMode.Changed"/>; omitted: the start of the last successful import.</param>
public sealed record CustomerImportRequest(CustomerImportMode Mode = CustomerImportMode.All, DateTimeOffset? Since = null);

/// <summary>Customers that were not applied for one reason, with a few of their ids.</summary>
public sealed record ImportReasonGroup(string Reason, string Description, long Count, IReadOnlyList<long> ExampleCustomerIds);

/// <summary>What an import has done so far (while it runs) or in total (when it ended).</summary>
/// <param name="Stage"><c>starting</c>, <c>exporting</c> (Shopify prepares the bulk file), <c>applying</c> or <c>finished</c>.</param>
/// <param name="Total">Customers in the export, once Shopify reports it; null for a paged import.</param>
/// <param name="Unchanged">Nothing to change: the user already has this state (or newer).</param>
public sealed record CustomerImportSummary(
    string Stage,
    long Processed,
    long? Total,
    long Created,
    long Linked,
    long Updated,
    long Unchanged,
    long Skipped,
    long Failed,
    IReadOnlyList<ImportReasonGroup> SkippedReasons,
    IReadOnlyList<ImportReasonGroup> Failures)
{
    public static CustomerImportSummary Empty { get; } = new("starting", 0, null, 0, 0, 0, 0, 0, 0, [], []);
}

/// <summary>An import job as the status endpoint shows it.</summary>
public sealed record CustomerImportStatus(
    string Id,
    string Store,
    CustomerImportMode Mode,
    DateTimeOffset? Since,
    SyncJobStatus Status,
    DateTimeOffset StartedAt,
    DateTimeOffset? FinishedAt,
    DateTimeOffset LastProgressAt,
    string? Error,
    CustomerImportSummary Progress);
