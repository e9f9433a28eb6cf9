using System.Net;
using AngleSharp.Html.Dom;
using OrchardShopify.OrchardCore.Site.Tests.Support;
using OrchardShopify.Testing.Hosting.Webhooks;

namespace OrchardShopify.OrchardCore.Site.Tests;

/// <summary>
/// Two tenants set up by the auto-setup (Default, and <c>Second</c> at <c>/second</c>), each with its own store in
/// its tenant configuration section: Default the emulated uk store, Second the us store.
/// </summary>
public sealed class TwoTenantSiteFixture : OrchardSiteFixture
{
    public const string Second = "Second";

    protected override void ConfigureShopify(IDictionary<string, string?> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var tenant = "OrchardCore:OrchardCore_AutoSetup:Tenants:1:";
        settings[tenant + "ShellName"] = Second;
        settings[tenant + "RequestUrlPrefix"] = "second";
        settings[tenant + "SiteName"] = "Second shop";
        settings[tenant + "SiteTimeZone"] = "America/New_York";
        settings[tenant + "AdminUsername"] = AdminUserName;
        settings[tenant + "AdminEmail"] = AdminEmail;
        settings[tenant + "AdminPassword"] = AdminPassword;
        settings[tenant + "DatabaseProvider"] = "Sqlite";
        settings[tenant + "DatabaseConnectionString"] = "";
        settings[tenant + "DatabaseTablePrefix"] = "";
        settings[tenant + "RecipeName"] = "OrchardShopifySite";

        var scoped = new Dictionary<string, string?>();
        AddStore(scoped, "uk", UkDomain, UkSecret);
        foreach (var (key, value) in scoped)
        {
            settings[key.Replace(Section, "OrchardCore:Default:OrchardShopify", StringComparison.Ordinal)] = value;
        }

        scoped.Clear();
        AddStore(scoped, "us", UsDomain, UsSecret);
        foreach (var (key, value) in scoped)
        {
            settings[key.Replace(Section, $"OrchardCore:{Second}:OrchardShopify", StringComparison.Ordinal)] = value;
        }

        settings[$"OrchardCore:Default:OrchardShopify:CreateUsersFromShopify"] = "true";
        settings[$"OrchardCore:{Second}:OrchardShopify:CreateUsersFromShopify"] = "true";
    }

    protected override async Task WarmUpAsync()
    {
        // The second tenant sets itself up on its own first request.
        using var client = CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        using var first = await client.GetAsync(new Uri("/second/", UriKind.Relative));
    }
}

public sealed class TenantTests(TwoTenantSiteFixture site) : SiteTest<TwoTenantSiteFixture>(site), IClassFixture<TwoTenantSiteFixture>
{
    private static readonly DateTimeOffset Created = new(2026, 10, 3, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Each_tenant_accepts_only_its_own_stores_deliveries_and_keeps_its_own_users()
    {
        var ukCustomer = new ShopifyCustomerVersion(7_500_000_001, "ayse.tenants@example.com", "Ayşe", "Yılmaz", null, Created, Created);
        var usCustomer = new ShopifyCustomerVersion(7_500_000_002, "mary.tenants@example.com", "Mary", "Smith", null, Created, Created);
        var uk = new ShopifyWebhookSigner(OrchardSiteFixture.UkDomain, OrchardSiteFixture.UkSecret).Customer("customers/create", ukCustomer, "tenants-uk-1", Created);
        var us = new ShopifyWebhookSigner(OrchardSiteFixture.UsDomain, OrchardSiteFixture.UsSecret).Customer("customers/create", usCustomer, "tenants-us-1", Created);
        using var http = Site.CreateClient();

        // A store's delivery sent to the other tenant is not that tenant's: refused, nothing stored.
        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(http, uk with { Path = "/second" + uk.Path }));
        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(http, us));

        Assert.Equal(HttpStatusCode.OK, await SendAsync(http, uk));
        Assert.Equal(HttpStatusCode.OK, await SendAsync(http, us with { Path = "/second" + us.Path }));

        var inDefault = await OrchardSiteFixture.EventuallyAsync(() => Site.FindUserByEmailAsync(ukCustomer.Email!), u => u?.Properties["ShopifyUserPart"]?["shopify_id"] is not null, "the uk customer's user on Default");
        var inSecond = await OrchardSiteFixture.EventuallyAsync(() => Site.FindUserByEmailAsync(usCustomer.Email!, TwoTenantSiteFixture.Second), u => u?.Properties["ShopifyUserPart"]?["shopify_id"] is not null, "the us customer's user on Second");
        Assert.Equal(ukCustomer.Id, (long)inDefault!.Properties["ShopifyUserPart"]!["shopify_id"]!);
        Assert.Equal(usCustomer.Id, (long)inSecond!.Properties["ShopifyUserPart"]!["shopify_id"]!);

        Assert.Null(await Site.FindUserByEmailAsync(usCustomer.Email!));
        Assert.Null(await Site.FindUserByEmailAsync(ukCustomer.Email!, TwoTenantSiteFixture.Second));
    }

    [Fact]
    public async Task Register_webhooks_on_each_tenant_subscribes_its_own_store_to_its_own_address()
    {
        using var browser = Site.NewBrowser();
        await browser.SignInAsync(OrchardSiteFixture.AdminUserName, OrchardSiteFixture.AdminPassword);
        await RegisterAsync(browser, "");

        // The second tenant has its own users and its own cookies: sign in there too.
        var login = await browser.GetAsync("/second/Login");
        Assert.Equal(HttpStatusCode.OK, login.Status);
        var form = login.FormOf("input[type=password]");
        var fields = form.Elements.OfType<IHtmlInputElement>().ToList();
        var signedIn = await browser.SubmitAsync(form, new Dictionary<string, string>
        {
            [fields.First(i => i.Name!.EndsWith("UserName", StringComparison.OrdinalIgnoreCase)).Name!] = OrchardSiteFixture.AdminUserName,
            [fields.First(i => i.Type == "password").Name!] = OrchardSiteFixture.AdminPassword,
        });
        Assert.DoesNotContain("/Login", signedIn.Address.AbsolutePath, StringComparison.OrdinalIgnoreCase);
        await RegisterAsync(browser, "/second");

        var uk = Site.Emulator.State.Subscriptions.ForShop(OrchardSiteFixture.UkDomain);
        var us = Site.Emulator.State.Subscriptions.ForShop(OrchardSiteFixture.UsDomain);
        Assert.Equal(3, uk.Count);
        Assert.Equal(3, us.Count);
        Assert.All(uk, s => Assert.Equal(new Uri("http://localhost/!/shopify/webhook"), s.CallbackUrl));
        Assert.All(us, s => Assert.Equal(new Uri("http://localhost/second/!/shopify/webhook"), s.CallbackUrl));
    }

    private static async Task RegisterAsync(SiteBrowser browser, string prefix)
    {
        var settings = await browser.GetAsync(prefix + "/Admin/Settings/shopify");
        Assert.Equal(HttpStatusCode.OK, settings.Status);
        var button = settings.Document.QuerySelectorAll("button[formaction]").OfType<IHtmlButtonElement>()
            .Single(b => b.GetAttribute("formaction")!.Contains("RegisterWebhooks", StringComparison.Ordinal));
        var result = await browser.SubmitAsync((IHtmlFormElement)button.Closest("form")!, submitter: button);
        Assert.Equal(prefix + "/Admin/Settings/shopify", result.Address.AbsolutePath);
        Assert.Contains("3 customer webhooks created", string.Join(" | ", result.Document.QuerySelectorAll(".alert").Select(a => a.TextContent)), StringComparison.Ordinal);
    }

    private static async Task<HttpStatusCode> SendAsync(HttpClient http, SignedDelivery delivery)
    {
        using var request = delivery.ToRequest();
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }
}
