using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using OrchardShopify.Core.Configuration;

namespace OrchardShopify.Core.Tests.Configuration;

public sealed class OptionsValidationTests
{
    private static ShopifySyncOptions Bind(Dictionary<string, string?> values)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var options = new ShopifySyncOptions();
        configuration.GetSection("Shopify").Bind(options);
        return options;
    }

    [Fact]
    public void Configuration_keys_bind_to_options_like_the_documented_environment_variables()
    {
        var options = Bind(new()
        {
            ["Shopify:CreateUsersFromShopify"] = "true",
            ["Shopify:UpdateUsersInShopify"] = "true",
            ["Shopify:MultiStore"] = "true",
            ["Shopify:MatchStrategy"] = "Email",
            ["Shopify:Stores:uk:ShopDomain"] = "uk-demo.myshopify.com",
            ["Shopify:Stores:uk:AccessToken"] = "shpat_x",
            ["Shopify:Stores:uk:WebhookSecret"] = "s1",
            ["Shopify:Stores:us:ShopDomain"] = "us-demo.myshopify.com",
            ["Shopify:Stores:us:AccessToken"] = "shpat_y",
            ["Shopify:Stores:us:WebhookSecret"] = "s2",
            ["Shopify:Stores:us:ApiVersion"] = "2026-07",
        });

        Assert.Empty(ShopifySyncOptionsValidator.Validate(options));
        Assert.True(options.CreateUsersFromShopify);
        Assert.Equal(UserMatchStrategy.Email, options.MatchStrategy);
        Assert.Equal("2026-07", options.Stores["US"].ApiVersion);
    }

    [Theory]
    [InlineData("Shopify:Stores:uk:ShopDomain", "https://uk.myshopify.com/admin", "Shopify:Stores:uk:ShopDomain")]
    [InlineData("Shopify:Stores:uk:ApiVersion", "2026-13", "Shopify:Stores:uk:ApiVersion")]
    [InlineData("Shopify:ApiVersion", "latest", "Shopify:ApiVersion")]
    [InlineData("Shopify:DefaultCountryCallingCode", "+44", "Shopify:DefaultCountryCallingCode")]
    [InlineData("Shopify:DefaultCountryCallingCode", "999", "Shopify:DefaultCountryCallingCode '999' is not the calling code of any region")]
    [InlineData("Shopify:DefaultRegion", "UK", "Shopify:DefaultRegion 'UK' is not a region code")]
    [InlineData("Shopify:MaxWebhookBodyBytes", "10", "Shopify:MaxWebhookBodyBytes")]
    [InlineData("Shopify:UpdateShopifyUserJob", "No.Such.Job", "Shopify:UpdateShopifyUserJob")]
    [InlineData("Shopify:Stores:uk:WebhookSecret", "", "Shopify:Stores:uk:WebhookSecret")]
    public void A_bad_value_is_reported_with_its_key(string key, string value, string expectedKey)
    {
        var values = new Dictionary<string, string?>
        {
            ["Shopify:Stores:uk:ShopDomain"] = "uk-demo.myshopify.com",
            ["Shopify:Stores:uk:WebhookSecret"] = "secret",
            [key] = value,
        };

        var errors = ShopifySyncOptionsValidator.Validate(Bind(values));

        var error = Assert.Single(errors);
        Assert.StartsWith(expectedKey, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Several_stores_without_multi_store_mode_is_an_error_naming_the_setting()
    {
        var options = new ShopifySyncOptions
        {
            Stores =
            {
                ["uk"] = new StoreOptions { ShopDomain = "uk.myshopify.com", WebhookSecret = "a" },
                ["us"] = new StoreOptions { ShopDomain = "us.myshopify.com", WebhookSecret = "b" },
            },
        };

        var error = Assert.Single(ShopifySyncOptionsValidator.Validate(options));
        Assert.Contains("Shopify:MultiStore", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Outbound_sync_requires_an_access_token_per_store()
    {
        var options = new ShopifySyncOptions
        {
            UpdateUsersInShopify = true,
            Stores = { ["uk"] = new StoreOptions { ShopDomain = "uk.myshopify.com", WebhookSecret = "a" } },
        };

        var error = Assert.Single(ShopifySyncOptionsValidator.Validate(options));
        Assert.StartsWith("Shopify:Stores:uk:AccessToken", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_stores_with_one_domain_are_rejected()
    {
        var options = new ShopifySyncOptions
        {
            MultiStore = true,
            Stores =
            {
                ["uk"] = new StoreOptions { ShopDomain = "shop.myshopify.com", WebhookSecret = "a" },
                ["us"] = new StoreOptions { ShopDomain = "SHOP.myshopify.com", WebhookSecret = "b" },
            },
        };

        var error = Assert.Single(ShopifySyncOptionsValidator.Validate(options));
        Assert.Contains("already used by store 'uk'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validator_plugs_into_options_validation()
    {
        var result = new ShopifySyncOptionsValidator().Validate(null, new ShopifySyncOptions());

        Assert.True(result.Failed);
        Assert.Contains("Shopify:Stores is empty", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Store_is_resolved_from_the_shop_domain_case_insensitively_and_unknown_domains_resolve_to_nothing()
    {
        using var harness = SyncHarness.MultiStore();

        Assert.Equal("uk", harness.Stores.FindByShopDomain("UK-Demo.MyShopify.com ")!.Handle);
        Assert.Equal("us", harness.Stores.FindByShopDomain("us-demo.myshopify.com")!.Handle);
        Assert.Null(harness.Stores.FindByShopDomain("fr-demo.myshopify.com"));
        Assert.Null(harness.Stores.FindByShopDomain("uk-demo.myshopify.com.evil.example"));
        Assert.Null(harness.Stores.FindByShopDomain(""));
    }

    [Fact]
    public void A_disabled_store_is_unknown()
    {
        using var harness = SyncHarness.MultiStore(o => o.Stores["us"].Enabled = false);

        Assert.Null(harness.Stores.FindByShopDomain(SyncHarness.UsDomain));
        Assert.Single(harness.Stores.Stores);
    }

    [Fact]
    public void Store_secrets_never_appear_in_its_text_form()
    {
        using var harness = SyncHarness.SingleStore();
        var store = harness.Stores.FindByHandle("uk")!;

        Assert.DoesNotContain("shpat_uk_token", store.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(SyncHarness.UkSecret, store.ToString(), StringComparison.Ordinal);
        Assert.Equal(new Uri("https://uk-demo.myshopify.com"), store.ApiBaseUrl);
        Assert.Equal("2026-10", store.ApiVersion);
    }

    [Fact]
    public void Template_store_is_the_named_one_or_the_only_one()
    {
        using var single = SyncHarness.SingleStore();
        using var multi = SyncHarness.MultiStore();

        Assert.Equal("uk", single.Stores.ResolveForTemplate(null).Handle);
        Assert.Equal("us", multi.Stores.ResolveForTemplate("US").Handle);
        var ex = Assert.Throws<UnknownStoreException>(() => multi.Stores.ResolveForTemplate(null));
        Assert.Contains("uk, us", ex.Message, StringComparison.Ordinal);
        Assert.Throws<UnknownStoreException>(() => multi.Stores.ResolveForTemplate("fr"));
    }

    [Fact]
    public void Options_monitor_validation_rejects_bad_configuration_at_resolution()
    {
        var validator = new ShopifySyncOptionsValidator();
        var factory = new OptionsFactory<ShopifySyncOptions>([], [], [validator]);

        var ex = Assert.Throws<OptionsValidationException>(() => factory.Create(Options.DefaultName));
        Assert.Contains("Shopify:Stores", ex.Message, StringComparison.Ordinal);
    }
}
