using Microsoft.AspNetCore.Mvc.RazorPages;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Web.Hosting;

namespace OrchardShopify.Web.Pages;

public sealed class IndexModel(StoreRegistry stores, SiteMode mode) : PageModel
{
    public bool DemoMode => mode.IsDemo;

    public IReadOnlyList<string> Stores => stores.Stores.Select(s => s.Handle).ToList();

    public void OnGet()
    {
    }
}
