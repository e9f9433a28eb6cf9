using System.Globalization;

namespace OrchardShopify.Core.ShopifyApi;

/// <summary>Shopify global ids (<c>gid://shopify/Customer/123</c>) and the numeric ids webhooks carry.</summary>
public static class ShopifyGid
{
    public static string Customer(long id) => $"gid://shopify/Customer/{id.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The trailing number of a global id (query strings such as <c>?model_name=…</c> ignored).</summary>
    public static long ParseId(string gid)
    {
        ArgumentNullException.ThrowIfNull(gid);
        var end = gid.IndexOf('?', StringComparison.Ordinal);
        var path = end < 0 ? gid.AsSpan() : gid.AsSpan(0, end);
        var slash = path.LastIndexOf('/');
        var tail = slash < 0 ? path : path[(slash + 1)..];
        return long.TryParse(tail, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? id
            : throw new FormatException($"'{gid}' is not a Shopify global id.");
    }

    public static bool IsOfType(string? gid, string type) =>
        gid is not null && gid.StartsWith($"gid://shopify/{type}/", StringComparison.Ordinal);
}
