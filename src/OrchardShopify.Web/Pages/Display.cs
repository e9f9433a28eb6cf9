using System.Globalization;
using OrchardShopify.Core.Customers;
using OrchardShopify.Core.ShopifyApi;

namespace OrchardShopify.Web.Pages;

/// <summary>How pages write money, dates and statuses.</summary>
public static class Display
{
    public static string Money(ShopifyMoney? money)
    {
        if (money is null)
        {
            return "–";
        }

        var symbol = money.CurrencyCode switch
        {
            "GBP" => "£",
            "USD" => "$",
            "EUR" => "€",
            _ => null,
        };
        var amount = money.Amount.ToString("#,##0.00", CultureInfo.InvariantCulture);
        return symbol is null ? $"{amount} {money.CurrencyCode}" : symbol + amount;
    }

    /// <summary>A customer's commerce signals on one line: "3 orders · $375.30 · wholesale, vip · email subscribed · enabled · verified".</summary>
    public static string Signals(CustomerSignals? signals)
    {
        if (signals is null)
        {
            return "–";
        }

        var parts = new List<string>();
        if (signals.NumberOfOrders is { } orders)
        {
            parts.Add(orders == 1 ? "1 order" : $"{orders.ToString(CultureInfo.InvariantCulture)} orders");
        }

        if (signals.AmountSpent is { } spent)
        {
            parts.Add(Money(new ShopifyMoney(spent, signals.Currency ?? "")));
        }

        parts.Add(signals.Tags.Count == 0 ? "no tags" : "tags: " + string.Join(", ", signals.Tags));
        if (signals.EmailMarketingState is { } marketing)
        {
            parts.Add("email " + Words(marketing));
        }

        if (signals.State is { } state)
        {
            parts.Add("account " + Words(state));
        }

        if (signals.VerifiedEmail is { } verified)
        {
            parts.Add(verified ? "email verified" : "email not verified");
        }

        return Clip(string.Join(" · ", parts), 160);
    }

    public static string Date(DateTimeOffset? at) => at is null ? "–" : at.Value.UtcDateTime.ToString("d MMM yyyy", CultureInfo.InvariantCulture);

    public static string Time(DateTimeOffset? at) => at is null ? "–" : at.Value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC";

    /// <summary>Shopify's enum values (PARTIALLY_PAID) as words (partially paid).</summary>
    public static string Words(string? value) => string.IsNullOrEmpty(value) ? "–" : value.Replace('_', ' ').ToLowerInvariant();

    /// <summary>
    /// At most <paramref name="max"/> characters, the rest as "…": a value Shopify allows (names up to 255 characters)
    /// or a hostile one must not stretch a table. Pages put the whole value in the cell's title.
    /// </summary>
    public static string Clip(string? value, int max = 60)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "–";
        }

        if (value.Length <= max)
        {
            return value;
        }

        var cut = max - 1;
        if (char.IsHighSurrogate(value[cut - 1]))
        {
            cut--;
        }

        return string.Concat(value.AsSpan(0, cut), "…");
    }

    public static string OrderState(ShopifyOrder order) => order.IsCancelled ? "cancelled" : order.IsClosed ? "closed" : "open";
}
