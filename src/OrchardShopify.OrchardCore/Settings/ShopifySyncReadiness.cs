using Microsoft.Extensions.Options;
using OrchardShopify.Core.Configuration;

namespace OrchardShopify.OrchardCore.Settings;

/// <summary>Whether the tenant's sync options pass the engine's validation, and if not, why (each reason names a setting).</summary>
internal sealed class ShopifySyncReadiness
{
    private readonly IOptionsMonitor<ShopifySyncOptions> _options;

    public ShopifySyncReadiness(IOptionsMonitor<ShopifySyncOptions> options)
    {
        _options = options;
    }

    /// <returns>No problems when the options are valid.</returns>
    public IReadOnlyList<string> Problems()
    {
        try
        {
            _ = _options.CurrentValue;
            return [];
        }
        catch (OptionsValidationException ex)
        {
            return ex.Failures.ToList();
        }
    }
}
