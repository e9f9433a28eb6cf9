namespace OrchardShopify.AspNetCore.Backfill;

/// <summary>The <c>Shopify:Backfill</c> section: how the import and the reconciliation run.</summary>
public sealed class ShopifyBackfillOptions
{
    /// <summary>Customers applied at once by an import (each customer is still applied one at a time).</summary>
    public int Parallelism { get; set; } = 4;

    /// <summary>An import stops when this many customers in a row failed (the database or user store is down).</summary>
    public int MaxConsecutiveFailures { get; set; } = 200;

    /// <summary>Differences listed by a reconciliation report; the counts always cover every customer.</summary>
    public int ReportLimit { get; set; } = 500;
}
