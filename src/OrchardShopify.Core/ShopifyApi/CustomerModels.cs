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

/// <summary>The status names templates and requests use for <see cref="OrderStatusFilter"/>.</summary>
public static class OrderStatusFilters
{
    /// <summary>The accepted names, for error messages.</summary>
    public const string Names = "any, open, closed or cancelled";

    /// <summary>
    /// Reads one of <see cref="Names"/> (case-insensitive; empty means any). Numbers and combinations,
    /// which <see cref="Enum.TryParse{TEnum}(string, bool, out TEnum)"/> would accept, are refused.
    /// </summary>
    public static bool TryParse(string? value, out OrderStatusFilter status)
    {
        status = OrderStatusFilter.Any;
        if (string.IsNullOrWhiteSpace(value))
        {
            return true;
        }

        switch (value.Trim().ToUpperInvariant())
        {
            case "ANY":
                return true;
            case "OPEN":
                status = OrderStatusFilter.Open;
                return true;
            case "CLOSED":
                status = OrderStatusFilter.Closed;
                return true;
            case "CANCELLED":
                status = OrderStatusFilter.Cancelled;
                return true;
            default:
                return false;
        }
    }
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
