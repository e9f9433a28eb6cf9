using OrchardShopify.Core.ShopifyApi;

namespace OrchardShopify.AspNetCore.Customers;

/// <summary>
/// A page cursor (<c>page</c>, <c>after</c>) that is not one Shopify returned: malformed, or refused by Shopify. It comes
/// from the request, so it is the caller's mistake (400), not Shopify being unreachable.
/// </summary>
public sealed class InvalidCursorException : ArgumentException
{
    /// <summary>Longer than any cursor Shopify returns.</summary>
    public const int MaxLength = 1024;

    public InvalidCursorException()
        : this("The page cursor is not one Shopify returned; start again from the first page.")
    {
    }

    public InvalidCursorException(string message)
        : base(message)
    {
    }

    public InvalidCursorException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Shopify's cursors are base64 text (standard or URL-safe alphabet) of modest length.</summary>
    public static bool IsWellFormed(string cursor)
    {
        ArgumentNullException.ThrowIfNull(cursor);
        return cursor.Length is > 0 and <= MaxLength && cursor.All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '/' or '=' or '-' or '_');
    }

    internal static void ThrowIfMalformed(string? cursor)
    {
        if (cursor is not null && !IsWellFormed(cursor))
        {
            throw new InvalidCursorException();
        }
    }

    /// <summary>Shopify answers a well-formed cursor it did not issue with an error about the cursor.</summary>
    internal static async Task<T> WhenRefusedAsync<T>(string? cursor, Func<Task<T>> read)
    {
        try
        {
            return await read();
        }
        catch (ShopifyApiException refused) when (cursor is not null && !refused.IsTransient && refused.Message.Contains("cursor", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidCursorException("Shopify does not know this page cursor; start again from the first page.", refused);
        }
    }
}
