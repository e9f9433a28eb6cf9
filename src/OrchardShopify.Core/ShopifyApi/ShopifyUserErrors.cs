using System.Text.Json;

namespace OrchardShopify.Core.ShopifyApi;

/// <summary>Maps a payload's <c>userErrors</c> (field path + message, no code on UserError) to a typed exception.</summary>
internal static class ShopifyUserErrors
{
    public static void ThrowIfAny(JsonElement payload, string storeHandle, string operation)
    {
        if (!payload.TryGetProperty("userErrors", out var errors) || errors.ValueKind != JsonValueKind.Array || errors.GetArrayLength() == 0)
        {
            return;
        }

        var first = errors[0];
        var field = FieldOf(first);
        var messages = errors.EnumerateArray()
            .Select((e, index) => FieldOf(e) is { } f && index > 0 ? $"{f}: {e.GetStringOrNull("message")}" : e.GetStringOrNull("message"))
            .Where(m => !string.IsNullOrEmpty(m));
        throw new ShopifyUserErrorException(storeHandle, operation, Classify(field, first.GetStringOrNull("message") ?? "", first.GetStringOrNull("code")), field, string.Join("; ", messages));
    }

    /// <summary>
    /// "Email has already been taken" → EmailTaken, "Phone has already been taken" → PhoneTaken, "… is invalid" →
    /// Invalid, "… can't be blank" → Blank. Shopify's "Phone is invalid" does not say whether the number is malformed
    /// or belongs to someone else, so it stays Invalid.
    /// </summary>
    public static ShopifyUserErrorCode Classify(string? field, string message, string? code = null)
    {
        var subject = (field ?? message).ToUpperInvariant();
        var text = message.ToUpperInvariant();
        if (string.Equals(code, "TAKEN", StringComparison.Ordinal) || text.Contains("TAKEN", StringComparison.Ordinal))
        {
            if (subject.Contains("EMAIL", StringComparison.Ordinal))
            {
                return ShopifyUserErrorCode.EmailTaken;
            }

            if (subject.Contains("PHONE", StringComparison.Ordinal))
            {
                return ShopifyUserErrorCode.PhoneTaken;
            }

            return ShopifyUserErrorCode.Other;
        }

        if (string.Equals(code, "BLANK", StringComparison.Ordinal) || text.Contains("BLANK", StringComparison.Ordinal))
        {
            return ShopifyUserErrorCode.Blank;
        }

        if (string.Equals(code, "INVALID", StringComparison.Ordinal) || text.Contains("INVALID", StringComparison.Ordinal))
        {
            return ShopifyUserErrorCode.Invalid;
        }

        return ShopifyUserErrorCode.Other;
    }

    private static string? FieldOf(JsonElement error) =>
        error.TryGetProperty("field", out var field) && field.ValueKind == JsonValueKind.Array && field.GetArrayLength() > 0
            ? field[field.GetArrayLength() - 1].GetString()
            : null;
}
