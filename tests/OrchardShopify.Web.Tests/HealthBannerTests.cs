using System.Net;
using System.Text.RegularExpressions;
using OrchardShopify.Web.Hosting;
using OrchardShopify.Web.Tests.Support;

namespace OrchardShopify.Web.Tests;

/// <summary>
/// A site of its own whose public address is set (Site:PublicUrl, the address it listens on): a store's webhook subscription
/// removed in Shopify shows as a banner on the admin pages, and its Register webhooks button subscribes the site again.
/// </summary>
public sealed partial class HealthBannerTests : IAsyncLifetime
{
    private const string AdminPassword = "Admin-health-pass-1";
    private const string UkDomain = "uk-demo.myshopify.com";
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "orchardshopify-web-health", Guid.NewGuid().ToString("N"));
    private RunningSite _site = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        _site = await SiteFixture.StartSiteAsync(
            _folder,
            new Dictionary<string, string?>
            {
                ["Site:AdminPassword"] = AdminPassword,
                ["Site:Demo:CustomersPerShop"] = "0",
                ["Shopify:HealthWebhookCheckInterval"] = "00:00:00",
                ["Shopify:HealthMaxReconciliationDrift"] = "0",
            },
            withPublicUrl: true);
    }

    public async Task DisposeAsync()
    {
        await _site.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task A_removed_subscription_shows_on_the_admin_pages_and_one_click_registers_it_again()
    {
        using var admin = await SignedInAdminAsync();
        var callback = new Uri(_site.BaseUrl, "/!/shopify/webhook");
        Assert.DoesNotContain("health-banner", await PageAsync(admin, "/admin"), StringComparison.Ordinal);

        var subscriptions = _site.Demo!.Emulator.State.Subscriptions;
        var update = subscriptions.ForShop(UkDomain).Single(s => s.Topic == "CUSTOMERS_UPDATE" && s.CallbackUrl == callback);
        Assert.True(subscriptions.Remove(UkDomain, update.Id));

        var page = await PageAsync(admin, "/admin/customers");
        var banner = BannerPattern().Match(page);
        Assert.True(banner.Success, "the admin page shows the health banner");
        var problem = Assert.Single(ProblemPattern().Matches(banner.Value));
        Assert.Equal(("webhooks_missing", "uk"), (problem.Groups["kind"].Value, problem.Groups["store"].Value));
        Assert.Contains($"store uk has no webhook subscription of CUSTOMERS_UPDATE to {callback}", WebUtility.HtmlDecode(problem.Value), StringComparison.Ordinal);
        Assert.Contains("Register webhooks for uk", problem.Value, StringComparison.Ordinal);

        // The banner's button is the settings page's Register webhooks for that store.
        var action = WebUtility.HtmlDecode(FormActionPattern().Match(problem.Value).Groups[1].Value);
        Assert.Equal("/admin/settings?handle=uk&handler=RegisterWebhooks", action);
        using var posted = await admin.PostAsync(action, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = TokenPattern().Match(problem.Value).Groups[1].Value,
        }));
        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);

        var after = await PageAsync(admin, posted.Headers.Location!.OriginalString);
        Assert.Contains($"uk: webhooks to {callback} – created: CUSTOMERS_UPDATE", WebUtility.HtmlDecode(after), StringComparison.Ordinal);
        Assert.DoesNotContain("health-banner", after, StringComparison.Ordinal);
        Assert.Equal(3, subscriptions.ForShop(UkDomain).Count(s => s.CallbackUrl == callback));
    }

    [Fact]
    public async Task Drift_above_the_threshold_found_by_a_reconciliation_shows_on_the_admin_pages_with_the_store_and_the_counts()
    {
        using var admin = await SignedInAdminAsync();
        Assert.DoesNotContain("health-banner", await PageAsync(admin, "/admin"), StringComparison.Ordinal);

        // A customer made in Shopify whose webhook never reached the site: with users created from Shopify, that is drift.
        var (customer, errors, _) = _site.Demo!.Emulator.Shops[UkDomain].Create(new Dictionary<string, object?> { ["firstName"] = "Unseen", ["email"] = "unseen.drift@example.com" });
        Assert.Empty(errors);

        var reconcile = await PageAsync(admin, "/admin/reconcile");
        Assert.Contains("Compared on schedule every 1.00:00:00; next run ", WebUtility.HtmlDecode(reconcile), StringComparison.Ordinal);
        using (var started = await admin.PostAsync("/admin/reconcile?handler=Start", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["store"] = "uk",
            ["__RequestVerificationToken"] = TokenPattern().Match(reconcile).Groups[1].Value,
        })))
        {
            Assert.Equal(HttpStatusCode.Redirect, started.StatusCode);
        }

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!(reconcile = await PageAsync(admin, "/admin/reconcile")).Contains("data-store=\"uk\" data-status=\"succeeded\"", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, "the comparison of uk finishes");
            await Task.Delay(250);
        }

        Assert.Contains("Drift in the last comparison: 1 (more than 0: the health check is degraded).", WebUtility.HtmlDecode(reconcile), StringComparison.Ordinal);
        var page = await PageAsync(admin, "/admin/customers");
        var banner = BannerPattern().Match(page);
        Assert.True(banner.Success, "the admin page shows the health banner");
        var problem = Assert.Single(ProblemPattern().Matches(banner.Value), p => p.Groups["kind"].Value == "reconciliation_drift");
        Assert.Equal("uk", problem.Groups["store"].Value);
        var text = WebUtility.HtmlDecode(problem.Value);
        Assert.Contains("the last reconciliation of store uk at ", text, StringComparison.Ordinal);
        var customers = _site.Demo.Emulator.Shops[UkDomain].Snapshot().Count;
        Assert.Contains($"found 1 mismatches in {customers} Shopify customers (0 linked with different fields, 0 linked to a deleted customer, 0 linked to a deleted user, 1 customers without a user), more than 0.", text, StringComparison.Ordinal);
        Assert.Contains("href=\"/admin/reconcile#reconcile-uk\"", problem.Value, StringComparison.Ordinal);
        Assert.NotNull(customer);
    }

    private async Task<HttpClient> SignedInAdminAsync()
    {
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() }) { BaseAddress = _site.BaseUrl };
        var form = await PageAsync(client, "/account/sign-in");
        using var posted = await client.PostAsync("/account/sign-in", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Email"] = "admin@example.com",
            ["Password"] = AdminPassword,
            ["__RequestVerificationToken"] = TokenPattern().Match(form).Groups[1].Value,
        }));
        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        return client;
    }

    private static async Task<string> PageAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();

    [GeneratedRegex("<section class=\"health-banner\".*?</section>", RegexOptions.Singleline)]
    private static partial Regex BannerPattern();

    [GeneratedRegex("<li data-problem=\"(?<kind>[^\"]+)\" data-store=\"(?<store>[^\"]*)\">.*?</li>", RegexOptions.Singleline)]
    private static partial Regex ProblemPattern();

    [GeneratedRegex("<form method=\"post\" class=\"inline\" action=\"([^\"]+)\"")]
    private static partial Regex FormActionPattern();
}
