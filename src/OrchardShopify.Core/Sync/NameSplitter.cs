using OrchardShopify.Core.Configuration;

namespace OrchardShopify.Core.Sync;

/// <summary>Splits a display name into Shopify's first and last name.</summary>
internal static class NameSplitter
{
    public static (string? FirstName, string? LastName) Split(string? displayName, NameSplitRule rule)
    {
        if (string.IsNullOrWhiteSpace(displayName))
        {
            return (null, null);
        }

        var parts = displayName.Trim().Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 1)
        {
            return (parts[0], null);
        }

        return rule == NameSplitRule.LastFirst ? (parts[1], parts[0]) : (parts[0], parts[1]);
    }
}
