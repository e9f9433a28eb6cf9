using System.Collections.Immutable;

namespace OrchardShopify.Emulator.Customers;

public sealed record MailingAddress(
    long Id,
    string? FirstName,
    string? LastName,
    string? Company,
    string? Address1,
    string? Address2,
    string? City,
    string? Province,
    string? ProvinceCode,
    string? Country,
    string? CountryCode,
    string? Zip,
    string? Phone)
{
    public string? Name => JoinName(FirstName, LastName);

    /// <summary>Orders the addresses by their last change (higher is newer); Shopify's webhooks carry the ten most recently updated.</summary>
    public long Revision { get; init; }

    internal static string? JoinName(string? first, string? last)
    {
        var name = string.Join(' ', new[] { first, last }.Where(p => !string.IsNullOrWhiteSpace(p)));
        return name.Length == 0 ? null : name;
    }
}

public sealed record LineItem(long Id, string Title, int Quantity, string? Sku, string? VariantTitle, decimal UnitPrice);

public sealed record Order(
    long Id,
    string Name,
    DateTimeOffset CreatedAt,
    DateTimeOffset ProcessedAt,
    DateTimeOffset? ClosedAt,
    DateTimeOffset? CancelledAt,
    string FinancialStatus,
    string FulfillmentStatus,
    string Currency,
    decimal Shipping,
    ImmutableArray<LineItem> LineItems)
{
    public decimal Subtotal => LineItems.Sum(i => i.UnitPrice * i.Quantity);

    public decimal Total => Subtotal + Shipping;

    public bool IsOpen => ClosedAt is null && CancelledAt is null;
}

public sealed record Customer(
    long Id,
    string? FirstName,
    string? LastName,
    string? Email,
    string? Phone,
    string? Note,
    string State,
    ImmutableArray<string> Tags,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    bool VerifiedEmail,
    bool TaxExempt,
    string EmailMarketingState,
    string SmsMarketingState,
    ImmutableArray<MailingAddress> Addresses,
    long? DefaultAddressId,
    ImmutableArray<Order> Orders,
    ImmutableDictionary<string, string> Metafields,
    string? Locale)
{
    public string DisplayName => MailingAddress.JoinName(FirstName, LastName) ?? Email ?? Phone ?? string.Empty;

    public MailingAddress? DefaultAddress => Addresses.FirstOrDefault(a => a.Id == DefaultAddressId) ?? (Addresses.IsEmpty ? null : Addresses[0]);

    public Order? LastOrder => Orders.IsEmpty ? null : Orders.MaxBy(o => o.CreatedAt);

    public decimal AmountSpent => Orders.Where(o => o.CancelledAt is null).Sum(o => o.Total);

    public long NumberOfOrders => Orders.Length;
}

public sealed record UserError(IReadOnlyList<string>? Field, string Message, string? Code = null);
