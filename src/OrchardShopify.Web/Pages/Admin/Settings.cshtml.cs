using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using OrchardShopify.Core.Configuration;

namespace OrchardShopify.Web.Pages.Admin;

public sealed class SettingsModel(IOptionsMonitor<ShopifySyncOptions> options) : PageModel
{
    public ShopifySyncOptions Options => options.CurrentValue;

    public void OnGet()
    {
    }
}
