namespace OrchardShopify.Core.ShopifyApi;

/// <summary>Shopify's MoneyV2.</summary>
public sealed record ShopifyMoney(decimal Amount, string CurrencyCode);

/// <summary>One page of a cursor-paged connection; pass <see cref="EndCursor"/> as <c>after</c> for the next.</summary>
public sealed record ShopifyPage<T>(IReadOnlyList<T> Items, bool HasNextPage, string? EndCursor);

public sealed record ShopifyMailingAddress(
    string Id,
    string? FirstName,
    string? LastName,
    string? Name,
    string? Company,
    string? Address1,
    string? Address2,
    string? City,
    string? Province,
    string? ProvinceCode,
    string? Zip,
    string? Country,
    string? CountryCode,
    string? Phone,
    IReadOnlyList<string> Formatted)
{
    /// <summary>True when this is the customer's default address (set by the address listing).</summary>
    public bool IsDefault { get; init; }
}

/// <summary>The last order shown on a customer page.</summary>
public sealed record ShopifyOrderSummary(
    string Id,
    string Name,
    DateTimeOffset CreatedAt,
    string? FinancialStatus,
    string FulfillmentStatus,
    Uri? StatusPageUrl,
    ShopifyMoney? Total);

/// <summary>A customer as a customer page or template shows it.</summary>
public sealed record ShopifyCustomerView(
    long Id,
    string DisplayName,
    string? FirstName,
    string? LastName,
    string? Email,
    string? Phone,
    string? Note,
    long NumberOfOrders,
    ShopifyMoney AmountSpent,
    ShopifyOrderSummary? LastOrder,
    ShopifyMailingAddress? DefaultAddress,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

public enum OrderStatusFilter
{
    Any,
    Open,
    Closed,
    Cancelled,
}

public sealed record ShopifyOrderLineItem(
    string Id,
    string Title,
    string? VariantTitle,
    string? Sku,
    int Quantity,
    int CurrentQuantity,
    ShopifyMoney? DiscountedTotal);

public sealed record ShopifyOrder(
    string Id,
    string Name,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ProcessedAt,
    DateTimeOffset? CancelledAt,
    DateTimeOffset? ClosedAt,
    string? FinancialStatus,
    string FulfillmentStatus,
    Uri? StatusPageUrl,
    ShopifyMoney? Subtotal,
    ShopifyMoney? Shipping,
    ShopifyMoney? Tax,
    ShopifyMoney? Total,
    IReadOnlyList<ShopifyOrderLineItem> LineItems,
    bool HasMoreLineItems)
{
    public bool IsCancelled => CancelledAt is not null;

    public bool IsClosed => ClosedAt is not null;
}
