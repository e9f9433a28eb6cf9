using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace OrchardShopify.OrchardCore.Settings;

/// <summary>Encrypts the settings' secrets with the tenant's Data Protection keys.</summary>
internal sealed class ShopifySecretProtector
{
    private const string Purpose = "OrchardShopify.Settings.Secrets";

    private readonly IDataProtector _protector;

    public ShopifySecretProtector(IDataProtectionProvider dataProtectionProvider)
    {
        ArgumentNullException.ThrowIfNull(dataProtectionProvider);
        _protector = dataProtectionProvider.CreateProtector(Purpose);
    }

    public string? Protect(string? secret) => string.IsNullOrEmpty(secret) ? null : _protector.Protect(secret);

    /// <summary>The clear secret, or null with <paramref name="failed"/> set when it was encrypted with another key ring.</summary>
    public string? Unprotect(string? protectedSecret, out bool failed)
    {
        failed = false;
        if (string.IsNullOrEmpty(protectedSecret))
        {
            return null;
        }

        try
        {
            return _protector.Unprotect(protectedSecret);
        }
        catch (CryptographicException)
        {
            failed = true;
            return null;
        }
    }
}
