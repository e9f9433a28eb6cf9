using System.Globalization;
using System.Text.Json;

namespace OrchardShopify.Core.ShopifyApi;

/// <summary>Null-tolerant reads of Admin API JSON: Shopify may send null for any nullable field.</summary>
internal static class JsonElementReading
{
    public static JsonElement? GetObjectOrNull(this JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object
            ? value
            : null;

    public static string? GetStringOrNull(this JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    public static string GetRequiredString(this JsonElement element, string name) =>
        element.GetStringOrNull(name) ?? throw new JsonException($"The Admin API response lacks '{name}'.");

    public static double? GetDoubleOrNull(this JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.Number => value.GetDouble(),
                JsonValueKind.String when double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
                _ => null,
            }
            : null;

    /// <summary>Reads numbers Shopify serializes as strings (UnsignedInt64, Decimal) as well as plain numbers.</summary>
    public static long GetInt64OrDefault(this JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.Number => value.GetInt64(),
                JsonValueKind.String when long.TryParse(value.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) => parsed,
                _ => 0,
            }
            : 0;

    public static int GetInt32OrDefault(this JsonElement element, string name) => (int)element.GetInt64OrDefault(name);

    public static bool GetBooleanOrDefault(this JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.True;

    public static DateTimeOffset? GetDateOrNull(this JsonElement element, string name) =>
        element.GetStringOrNull(name) is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value)
            ? value
            : null;

    public static Uri? GetUriOrNull(this JsonElement element, string name) =>
        element.GetStringOrNull(name) is { } text && Uri.TryCreate(text, UriKind.Absolute, out var uri) ? uri : null;

    public static IEnumerable<JsonElement> Nodes(this JsonElement connection) =>
        connection.ValueKind == JsonValueKind.Object && connection.TryGetProperty("nodes", out var nodes) && nodes.ValueKind == JsonValueKind.Array
            ? nodes.EnumerateArray()
            : [];

    public static (bool HasNextPage, string? EndCursor) PageInfo(this JsonElement connection) =>
        connection.GetObjectOrNull("pageInfo") is { } info
            ? (info.GetBooleanOrDefault("hasNextPage"), info.GetStringOrNull("endCursor"))
            : (false, null);
}
