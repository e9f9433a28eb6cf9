namespace OrchardShopify.AspNetCore.Backfill;

/// <summary>The <c>Shopify:Backfill</c> section: how the import and the reconciliation run.</summary>
public sealed class ShopifyBackfillOptions
{
    /// <summary>
    /// Appliers of an import on PostgreSQL (each storing a batch of customers per transaction, with the customers'
    /// locks, when the users are in the sync's database) or with a user store that cannot join a transaction (each
    /// storing one customer at a time). On SQLite one applier stores the customers a transaction at a time: SQLite has
    /// one writer.
    /// </summary>
    public int Parallelism { get; set; } = 4;

    /// <summary>An import stops when this many customers in a row failed (the database or user store is down).</summary>
    public int MaxConsecutiveFailures { get; set; } = 200;

    /// <summary>Differences listed by a reconciliation report; the counts always cover every customer.</summary>
    public int ReportLimit { get; set; } = 500;
}
