using System.Collections.Immutable;
using System.Globalization;
using OrchardShopify.Emulator;
using OrchardShopify.Emulator.Customers;

namespace OrchardShopify.Liquid.Tests.Support;

/// <summary>The customers the tests render, created in the emulator's shops as checkouts and sign-ups would.</summary>
internal static class ShopifyShops
{
    public const string Uk = "uk-demo.myshopify.com";
    public const string Us = "us-demo.myshopify.com";

    private static readonly DateTimeOffset Day = DateTimeOffset.Parse("2026-10-01T09:00:00Z", CultureInfo.InvariantCulture);

    public static long CreateCustomer(ShopifyEmulator emulator, string shop, string first, string last, string email, string? note = null, params (string Address1, string City, string CountryCode)[] addresses)
    {
        var input = new Dictionary<string, object?>
        {
            ["firstName"] = first,
            ["lastName"] = last,
            ["email"] = email,
            ["note"] = note,
            ["addresses"] = addresses.Select(a => (object?)new Dictionary<string, object?>
            {
                ["address1"] = a.Address1,
                ["city"] = a.City,
                ["countryCode"] = a.CountryCode,
            }).ToList(),
        };
        var (customer, errors, _) = emulator.Shops[shop].Create(input);
        return customer?.Id ?? throw new InvalidOperationException(string.Join("; ", errors.Select(e => e.Message)));
    }

    public static void AddOrder(ShopifyEmulator emulator, string shop, long customerId, long orderId, string name, OrderState state, int daysAgo, params (string Title, int Quantity, string Sku, decimal UnitPrice)[] lines)
    {
        var created = Day.AddDays(-daysAgo);
        var order = new Order(
            orderId,
            name,
            created,
            created,
            ClosedAt: state == OrderState.Closed ? created.AddDays(1) : null,
            CancelledAt: state == OrderState.Cancelled ? created.AddHours(2) : null,
            FinancialStatus: state == OrderState.Cancelled ? "REFUNDED" : "PAID",
            FulfillmentStatus: state == OrderState.Closed ? "FULFILLED" : "UNFULFILLED",
            emulator.Shops[shop].Currency,
            Shipping: 4.99m,
            [.. lines.Select((l, i) => new LineItem(orderId * 10 + i, l.Title, l.Quantity, l.Sku, null, l.UnitPrice))]);
        var (customer, _) = emulator.Shops[shop].AddOrder(customerId, order);
        if (customer is null)
        {
            throw new InvalidOperationException($"customer {customerId} is not in {shop}");
        }
    }
}

internal enum OrderState
{
    Open,
    Closed,
    Cancelled,
}
