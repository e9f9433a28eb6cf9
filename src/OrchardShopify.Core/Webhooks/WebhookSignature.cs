using System.Security.Cryptography;
using System.Text;

namespace OrchardShopify.Core.Webhooks;

/// <summary>HMAC-SHA256 over the raw body bytes, base64-encoded, as in <c>X-Shopify-Hmac-Sha256</c>.</summary>
public static class WebhookSignature
{
    public static string Compute(ReadOnlySpan<byte> body, string secret)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body, mac);
        return Convert.ToBase64String(mac);
    }

    /// <summary>
    /// True when <paramref name="signature"/> is the base64 HMAC of <paramref name="body"/> under
    /// <paramref name="secret"/>. The digests are compared in constant time.
    /// </summary>
    public static bool Verify(ReadOnlySpan<byte> body, string? signature, string? secret)
    {
        if (string.IsNullOrEmpty(signature) || string.IsNullOrEmpty(secret))
        {
            return false;
        }

        Span<byte> given = stackalloc byte[HMACSHA256.HashSizeInBytes + 3];
        if (!Convert.TryFromBase64String(signature.Trim(), given, out var written) || written != HMACSHA256.HashSizeInBytes)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[HMACSHA256.HashSizeInBytes];
        var maxKeyBytes = Encoding.UTF8.GetMaxByteCount(secret.Length);
        Span<byte> key = maxKeyBytes <= 512 ? stackalloc byte[maxKeyBytes] : new byte[maxKeyBytes];
        key = key[..Encoding.UTF8.GetBytes(secret, key)];
        HMACSHA256.HashData(key, body, expected);
        CryptographicOperations.ZeroMemory(key);
        return CryptographicOperations.FixedTimeEquals(expected, given[..written]);
    }
}
