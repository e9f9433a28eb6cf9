using OrchardCore.Modules;
using OrchardCore.Settings;

namespace OrchardShopify.OrchardCore.Hosting;

/// <summary>Starts the tenant's sync workers when the tenant activates and stops them when it terminates.</summary>
internal sealed class ShopifySyncTenantEvents : ModularTenantEvents
{
    private readonly TenantSyncLifetime _lifetime;
    private readonly ISiteService _siteService;

    public ShopifySyncTenantEvents(TenantSyncLifetime lifetime, ISiteService siteService)
    {
        _lifetime = lifetime;
        _siteService = siteService;
    }

    public override Task ActivatedAsync() => _lifetime.RefreshAsync(_siteService, CancellationToken.None);

    public override Task TerminatingAsync() => _lifetime.StopAsync(CancellationToken.None);
}
