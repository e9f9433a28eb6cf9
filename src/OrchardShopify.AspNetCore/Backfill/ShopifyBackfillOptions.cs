namespace OrchardShopify.AspNetCore.Backfill;

/// <summary>The <c>Shopify:Backfill</c> section: how the import and the reconciliation run.</summary>
public sealed class ShopifyBackfillOptions
{
    /// <summary>
    /// Customers applied at once by an import that stores them one by one (PostgreSQL, or a user store that cannot
    /// join a transaction). Where customers are stored a transaction at a time, one applier does it: SQLite has one writer.
    /// </summary>
    public int Parallelism { get; set; } = 4;

    /// <summary>An import stops when this many customers in a row failed (the database or user store is down).</summary>
    public int MaxConsecutiveFailures { get; set; } = 200;

    /// <summary>Differences listed by a reconciliation report; the counts always cover every customer.</summary>
    public int ReportLimit { get; set; } = 500;
}
