using System.Net;
using AngleSharp.Html.Dom;
using OrchardShopify.OrchardCore.Site.Tests.Support;
using OrchardShopify.Testing.Hosting.Webhooks;

namespace OrchardShopify.OrchardCore.Site.Tests;

/// <summary>A site whose configuration names no store: the sync waits for the settings page.</summary>
public sealed class UnconfiguredSiteFixture : OrchardSiteFixture
{
    protected override void ConfigureShopify(IDictionary<string, string?> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);

        // Only where the emulated store's Admin API is (real stores need no such line): the rest comes from the page.
        settings[Section + ":Stores:uk:ApiBaseUrl"] = ApiBaseUrl(UkDomain);
    }
}

public sealed class SettingsPageTests(UnconfiguredSiteFixture site) : SiteTest<UnconfiguredSiteFixture>(site), IClassFixture<UnconfiguredSiteFixture>
{
    private static readonly ShopifyCustomerVersion Ada = new(
        7_100_000_001, "ada.settings@example.com", "Ada", "Lovelace", "+447700900101", new DateTimeOffset(2026, 10, 1, 9, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 10, 1, 9, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task Settings_page_renders_every_field_of_the_sync_and_of_a_new_store()
    {
        using var browser = Site.NewBrowser();
        await browser.SignInAsync(OrchardSiteFixture.AdminUserName, OrchardSiteFixture.AdminPassword);

        var page = await browser.GetAsync("/Admin/Settings/shopify");

        Assert.Equal(HttpStatusCode.OK, page.Status);
        var names = page.Document.QuerySelectorAll("input[name], select[name]").Select(e => e.GetAttribute("name")!).ToHashSet(StringComparer.Ordinal);
        string[] expected =
        [
            "Enabled", "InboundEnabled", "CreateUsersFromShopify", "UpdateUsersInShopify", "MultiStore", "RefreshLinkedUserProfile",
            "RefreshEmailFromShopify", "MatchStrategy", "DefaultRegion", "DefaultCountryCallingCode", "ApiVersion", "UpdateShopifyUserJob", "WebhookSecret",
            "Stores[0].Handle", "Stores[0].ShopDomain", "Stores[0].ApiVersion", "Stores[0].AccessToken", "Stores[0].WebhookSecret",
            "Stores[0].Enabled", "Stores[0].KeepPreviousWebhookSecret",
        ];
        var missing = expected.Where(field => !names.Any(n => n == field || n.EndsWith("." + field, StringComparison.Ordinal))).ToList();
        Assert.True(missing.Count == 0, $"Missing inputs: {string.Join(", ", missing)}. Rendered: {string.Join(", ", names)}");

        // It says why the sync is not running yet.
        Assert.Contains("The sync is not running on this tenant", page.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Webhooks_answer_503_until_the_settings_are_valid_then_saving_the_page_applies_them_without_restart()
    {
        var signer = new ShopifyWebhookSigner(OrchardSiteFixture.UkDomain, OrchardSiteFixture.UkSecret);
        using var browser = Site.NewBrowser();
        var delivery = signer.Customer("customers/create", Ada, "settings-create-1", Ada.UpdatedAt);

        using (var before = await browser.Http.SendAsync(delivery.ToRequest()))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, before.StatusCode);
        }

        await browser.SignInAsync(OrchardSiteFixture.AdminUserName, OrchardSiteFixture.AdminPassword);
        var page = await browser.GetAsync("/Admin/Settings/shopify");
        var form = page.FormOf("input[name$='Stores[0].ShopDomain']");
        var saved = await browser.SubmitAsync(form, Fields(form, new()
        {
            ["Enabled"] = "true",
            ["InboundEnabled"] = "true",
            ["CreateUsersFromShopify"] = "true",
            ["Stores[0].Handle"] = "uk",
            ["Stores[0].ShopDomain"] = OrchardSiteFixture.UkDomain,
            ["Stores[0].AccessToken"] = Site.Emulator.Options.AccessToken,
            ["Stores[0].WebhookSecret"] = OrchardSiteFixture.UkSecret,
            ["Stores[0].Enabled"] = "true",
        }));
        Assert.Equal(HttpStatusCode.OK, saved.Status);
        Assert.DoesNotContain("The sync is not running on this tenant", saved.Html, StringComparison.Ordinal);

        // The same delivery, Shopify's retry: accepted now, and the customer becomes a user.
        using (var after = await browser.Http.SendAsync(delivery.ToRequest()))
        {
            Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        }

        var user = await OrchardSiteFixture.EventuallyAsync(
            () => Site.FindUserByEmailAsync(Ada.Email!), u => u?.Properties["ShopifyUserPart"]?["shopify_id"] is not null, "the user created from Shopify with its link");
        Assert.Equal(Ada.Id, (long)user!.Properties["ShopifyUserPart"]!["shopify_id"]!);
        Assert.Equal("Ada", (string?)user.Properties["ShopifyUserPart"]!["FirstName"]);
    }

    /// <summary>The form's field names carry the driver's prefix; maps short names to the rendered ones.</summary>
    private static Dictionary<string, string> Fields(IHtmlFormElement form, Dictionary<string, string> values)
    {
        var multiStore = form.Elements.Select(e => e.GetAttribute("name")).OfType<string>().First(n => n.EndsWith("MultiStore", StringComparison.Ordinal));
        var prefix = multiStore[..^"MultiStore".Length];
        return values.ToDictionary(v => prefix + v.Key, v => v.Value);
    }
}
