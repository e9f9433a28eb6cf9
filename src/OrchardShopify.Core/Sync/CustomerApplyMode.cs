namespace OrchardShopify.Core.Sync;

/// <summary>How a linked customer's state refreshes its user (<see cref="InboundCustomerSync.ApplyCustomerStateAsync"/>).</summary>
public enum CustomerApplyMode
{
    /// <summary>
    /// Only a state newer than the one applied last refreshes the user; an older one is stale and the state this site
    /// pushed itself an echo (<see cref="EchoRules.Classify"/>). Deliveries, imports and catch-ups apply this way.
    /// </summary>
    NewerOnly,

    /// <summary>
    /// Shopify's data is taken even when it is not newer than what was applied last: an administrator's explicit
    /// "take Shopify's data" (a reconciliation's fix).
    /// </summary>
    TakeShopifyData,
}
