using System.Text;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using OrchardCore;
using OrchardCore.Environment.Shell.Configuration;
using OrchardShopify.AspNetCore.DependencyInjection;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.Webhooks;
using OrchardShopify.OrchardCore.Drivers;
using OrchardShopify.OrchardCore.Settings;
using OrchardShopify.OrchardCore.Tests.Support;
using OrchardShopify.OrchardCore.ViewModels;

namespace OrchardShopify.OrchardCore.Tests.Settings;

public sealed class SettingsTests : IDisposable
{
    private readonly string _appData = Path.Combine(Path.GetTempPath(), "orchardshopify-oc-tests", Guid.NewGuid().ToString("N"));
    private readonly ServiceProvider _provider;

    public SettingsTests()
    {
        var (services, _) = TenantServices.Create(_appData, TenantServices.UkStore());
        services.AddSingleton<IHttpContextAccessor, HttpContextAccessor>();
        services.AddAuthorizationCore();
        _provider = services.BuildServiceProvider();
    }

    public void Dispose() => _provider.Dispose();

    [Fact]
    public void Saved_settings_apply_to_the_running_sync_without_a_restart()
    {
        var stores = _provider.GetRequiredService<StoreRegistry>();
        var verifier = _provider.GetRequiredService<WebhookVerifier>();
        Assert.Null(stores.FindByHandle("us"));

        var driver = Driver();
        var stored = driver.Apply(new ShopifySyncSettingsViewModel
        {
            Enabled = true,
            InboundEnabled = true,
            MultiStore = true,
            DefaultCountryCallingCode = "44",
            Stores =
            [
                new ShopifyStoreViewModel { Handle = "uk", ShopDomain = TenantServices.UkDomain, Enabled = true },
                new ShopifyStoreViewModel { Handle = "us", ShopDomain = TenantServices.UsDomain, Enabled = true, WebhookSecret = TenantServices.UsSecret },
            ],
        }, new ShopifySyncSettings());
        _provider.GetRequiredService<ShopifySyncSettingsSnapshot>().Apply(stored);

        Assert.True(stores.MultiStore);
        Assert.Equal("44", stores.Options.DefaultCountryCallingCode);
        Assert.Equal(TenantServices.UsDomain, stores.FindByHandle("us")!.ShopDomain);
        var delivery = verifier.Verify(Headers(TenantServices.UsDomain, TenantServices.UsSecret, out var body), body);
        Assert.Equal("us", delivery.Store.Handle);

        // The uk store's secret still comes from the tenant configuration: a blank saved secret keeps it.
        Assert.Equal("uk", verifier.Verify(Headers(TenantServices.UkDomain, TenantServices.UkSecret, out var ukBody), ukBody).Store.Handle);
    }

    [Fact]
    public void Catch_up_switch_and_interval_saved_on_the_site_apply_to_the_running_sync_and_a_bad_interval_is_refused()
    {
        var driver = Driver();
        var hostOptions = _provider.GetRequiredService<IOptionsMonitor<ShopifyHostOptions>>();
        Assert.Equal((true, TimeSpan.FromMinutes(15)), (hostOptions.CurrentValue.CatchUp.Enabled, hostOptions.CurrentValue.CatchUp.Interval));

        // The page shows what the tenant runs with; saving it untouched stores nothing of the catch-up.
        var shown = new ShopifySyncSettingsViewModel();
        driver.Describe(new ShopifySyncSettings(), shown);
        Assert.Equal((true, "00:15:00"), (shown.CatchUpEnabled, shown.CatchUpInterval));
        var untouched = driver.Apply(shown, new ShopifySyncSettings());
        Assert.Equal((null, null), (untouched.CatchUpEnabled, untouched.CatchUpInterval));

        var form = Form();
        form.CatchUpEnabled = false;
        form.CatchUpInterval = " 00:30:00 ";
        var stored = driver.Apply(form, new ShopifySyncSettings());
        _provider.GetRequiredService<ShopifySyncSettingsSnapshot>().Apply(stored);

        Assert.Equal((false, TimeSpan.FromMinutes(30)), (hostOptions.CurrentValue.CatchUp.Enabled, hostOptions.CurrentValue.CatchUp.Interval));
        var described = new ShopifySyncSettingsViewModel();
        driver.Describe(stored, described);
        Assert.Equal((false, "00:30:00"), (described.CatchUpEnabled, described.CatchUpInterval));

        Assert.Null(driver.CatchUpIntervalProblem(""));
        Assert.Null(driver.CatchUpIntervalProblem("7.00:00:00"));
        Assert.StartsWith("Catch-up interval must be a time between 00:00:01 and 7.00:00:00", driver.CatchUpIntervalProblem("every hour"), StringComparison.Ordinal);
        Assert.Contains("(was '00:00:00')", driver.CatchUpIntervalProblem("00:00:00"), StringComparison.Ordinal);
        Assert.Contains("(was '8.00:00:00')", driver.CatchUpIntervalProblem("8.00:00:00"), StringComparison.Ordinal);

        // A bare number is not taken as days (TimeSpan would read "5" as five days).
        Assert.Contains("like 00:15:00 for every 15 minutes (was '5')", driver.CatchUpIntervalProblem("5"), StringComparison.Ordinal);
        Assert.Contains("(was '30')", driver.ReconciliationIntervalProblem("30"), StringComparison.Ordinal);
    }

    [Fact]
    public void Scheduled_reconciliation_drift_threshold_and_webhook_re_registration_saved_on_the_site_apply_to_the_running_sync()
    {
        var driver = Driver();
        var hostOptions = _provider.GetRequiredService<IOptionsMonitor<ShopifyHostOptions>>();
        var running = hostOptions.CurrentValue;
        Assert.Equal((true, TimeSpan.FromDays(1), (int?)10, false), (running.ScheduledReconciliation.Enabled, running.ScheduledReconciliation.Interval, running.HealthMaxReconciliationDrift, running.AutoRegisterWebhooks));

        // The page shows what the tenant runs with; saving it untouched stores none of them.
        var shown = new ShopifySyncSettingsViewModel();
        driver.Describe(new ShopifySyncSettings(), shown);
        Assert.Equal((true, "1.00:00:00", "10", false), (shown.ScheduledReconciliationEnabled, shown.ScheduledReconciliationInterval, shown.HealthMaxReconciliationDrift, shown.AutoRegisterWebhooks));
        var untouched = driver.Apply(shown, new ShopifySyncSettings());
        Assert.Equal(((bool?)null, (TimeSpan?)null, (int?)null, (bool?)null), (untouched.ScheduledReconciliationEnabled, untouched.ScheduledReconciliationInterval, untouched.HealthMaxReconciliationDrift, untouched.AutoRegisterWebhooks));

        var form = Form();
        form.ScheduledReconciliationEnabled = false;
        form.ScheduledReconciliationInterval = " 06:00:00 ";
        form.HealthMaxReconciliationDrift = " 3 ";
        form.AutoRegisterWebhooks = true;
        var stored = driver.Apply(form, new ShopifySyncSettings());
        _provider.GetRequiredService<ShopifySyncSettingsSnapshot>().Apply(stored);

        running = hostOptions.CurrentValue;
        Assert.Equal((false, TimeSpan.FromHours(6), (int?)3, true), (running.ScheduledReconciliation.Enabled, running.ScheduledReconciliation.Interval, running.HealthMaxReconciliationDrift, running.AutoRegisterWebhooks));
        var described = new ShopifySyncSettingsViewModel();
        driver.Describe(stored, described);
        Assert.Equal((false, "06:00:00", "3", true), (described.ScheduledReconciliationEnabled, described.ScheduledReconciliationInterval, described.HealthMaxReconciliationDrift, described.AutoRegisterWebhooks));

        Assert.Null(driver.ReconciliationIntervalProblem(""));
        Assert.Null(driver.ReconciliationIntervalProblem("31.00:00:00"));
        Assert.StartsWith("Reconciliation interval must be a time between 00:00:01 and 31.00:00:00", driver.ReconciliationIntervalProblem("daily"), StringComparison.Ordinal);
        Assert.Contains("(was '32.00:00:00')", driver.ReconciliationIntervalProblem("32.00:00:00"), StringComparison.Ordinal);
        Assert.Null(driver.DriftProblem(" "));
        Assert.Null(driver.DriftProblem("0"));
        Assert.Contains("(was '-1')", driver.DriftProblem("-1"), StringComparison.Ordinal);
        Assert.Contains("(was 'many')", driver.DriftProblem("many"), StringComparison.Ordinal);
    }

    [Fact]
    public void Secrets_are_stored_encrypted_and_a_blank_field_keeps_the_stored_secret()
    {
        var driver = Driver();
        var protector = _provider.GetRequiredService<ShopifySecretProtector>();

        var first = driver.Apply(Form(accessToken: "shpat_first", webhookSecret: "secret-one"), new ShopifySyncSettings());
        var second = driver.Apply(Form(accessToken: "", webhookSecret: ""), first);

        var store = Assert.Single(second.Stores);
        Assert.NotEqual("shpat_first", store.AccessToken);
        Assert.DoesNotContain("secret-one", store.WebhookSecret, StringComparison.Ordinal);
        Assert.Equal("shpat_first", protector.Unprotect(store.AccessToken, out _));
        Assert.Equal("secret-one", protector.Unprotect(store.WebhookSecret, out _));
    }

    [Fact]
    public void New_webhook_secret_keeps_the_old_one_accepted_until_it_is_dropped()
    {
        var driver = Driver();
        var protector = _provider.GetRequiredService<ShopifySecretProtector>();
        var first = driver.Apply(Form(webhookSecret: "secret-one"), new ShopifySyncSettings());

        var rotated = driver.Apply(Form(webhookSecret: "secret-two"), first);
        var dropped = driver.Apply(Form(keepPrevious: false), rotated);

        Assert.Equal("secret-two", protector.Unprotect(rotated.Stores[0].WebhookSecret, out _));
        Assert.Equal("secret-one", protector.Unprotect(rotated.Stores[0].PreviousWebhookSecret, out _));
        Assert.Null(dropped.Stores[0].PreviousWebhookSecret);
        Assert.Equal("secret-two", protector.Unprotect(dropped.Stores[0].WebhookSecret, out _));
    }

    [Fact]
    public void A_stores_first_own_webhook_secret_keeps_the_secret_for_every_store_accepted_as_its_previous()
    {
        // The uk store has no secret of its own: it is verified with the one for every store, configured here.
        var configuration = new Dictionary<string, string?>
        {
            ["OrchardShopify:Stores:uk:ShopDomain"] = TenantServices.UkDomain,
            ["OrchardShopify:WebhookSecret"] = "configured-every-store-secret",
        };
        var (services, _) = TenantServices.Create(Path.Combine(_appData, "shared-secret"), configuration);
        services.AddSingleton<IHttpContextAccessor, HttpContextAccessor>();
        services.AddAuthorizationCore();
        using var provider = services.BuildServiceProvider();
        var driver = Driver(provider);
        var protector = provider.GetRequiredService<ShopifySecretProtector>();

        var own = driver.Apply(Form(webhookSecret: "uk-own-secret"), new ShopifySyncSettings());

        Assert.Equal("uk-own-secret", protector.Unprotect(own.Stores[0].WebhookSecret, out _));
        Assert.Equal("configured-every-store-secret", protector.Unprotect(own.Stores[0].PreviousWebhookSecret, out _));

        // One for every store saved on the site is the one in use, so it is the one kept.
        var form = Form();
        form.WebhookSecret = "saved-every-store-secret";
        var shared = driver.Apply(form, new ShopifySyncSettings());
        var replaced = driver.Apply(Form(webhookSecret: "uk-own-secret"), shared);

        Assert.Equal("saved-every-store-secret", protector.Unprotect(replaced.Stores[0].PreviousWebhookSecret, out _));
    }

    [Fact]
    public void Settings_page_shows_whether_a_secret_is_stored_never_the_secret()
    {
        var saved = Driver().Apply(Form(accessToken: "shpat_visible_nowhere", webhookSecret: "hook-secret-visible-nowhere"), new ShopifySyncSettings());
        var model = new ShopifySyncSettingsViewModel();

        Driver().Describe(saved, model);
        var page = System.Text.Json.JsonSerializer.Serialize(model);

        Assert.True(model.Stores[0].HasAccessToken && model.Stores[0].HasWebhookSecret);
        Assert.DoesNotContain("visible_nowhere", page, StringComparison.Ordinal);
        Assert.DoesNotContain("visible-nowhere", page, StringComparison.Ordinal);
        Assert.DoesNotContain(saved.Stores[0].AccessToken!, page, StringComparison.Ordinal);
        Assert.Equal(2, model.Stores.Count);
    }

    [Fact]
    public void Removed_store_and_blank_row_are_not_saved()
    {
        var form = Form(webhookSecret: "secret-one");
        form.Stores.Add(new ShopifyStoreViewModel { Handle = "us", ShopDomain = TenantServices.UsDomain, Remove = true });
        form.Stores.Add(new ShopifyStoreViewModel());

        var saved = Driver().Apply(form, new ShopifySyncSettings());

        Assert.Equal(["uk"], saved.Stores.Select(s => s.Handle));
    }

    [Fact]
    public void Secret_encrypted_with_other_keys_is_reported_not_thrown()
    {
        var other = new ShopifySecretProtector(new Microsoft.AspNetCore.DataProtection.EphemeralDataProtectionProvider());
        var snapshot = _provider.GetRequiredService<ShopifySyncSettingsSnapshot>();

        snapshot.Apply(new ShopifySyncSettings { Stores = [new ShopifyStoreSettings { Handle = "uk", ShopDomain = TenantServices.UkDomain, WebhookSecret = other.Protect("x") }] });

        Assert.True(snapshot.HasDecryptionError);
        Assert.Null(snapshot.Current!.Stores[0].WebhookSecret);
    }

    [Fact]
    public async Task Administrators_get_the_manage_permission_by_default()
    {
        var permissions = new Permissions();

        var all = await permissions.GetPermissionsAsync();
        var administrator = Assert.Single(permissions.GetDefaultStereotypes());

        Assert.Equal([ShopifySyncPermissions.ManageShopifySync], all);
        Assert.Equal(OrchardCoreConstants.Roles.Administrator, administrator.Name);
        Assert.Contains(ShopifySyncPermissions.ManageShopifySync, administrator.Permissions);
    }

    private ShopifySyncSettingsDisplayDriver Driver() => Driver(_provider);

    private static ShopifySyncSettingsDisplayDriver Driver(IServiceProvider provider) => new(
        provider.GetRequiredService<IAuthorizationService>(),
        provider.GetRequiredService<IHttpContextAccessor>(),
        provider.GetRequiredService<ShopifySecretProtector>(),
        provider.GetRequiredService<ShopifySyncSettingsSnapshot>(),
        provider.GetRequiredService<ShopifySyncReadiness>(),
        provider.GetServices<IConfigureOptions<ShopifySyncOptions>>(),
        provider.GetRequiredService<IShellConfiguration>(),
        provider.GetRequiredService<IStringLocalizer<ShopifySyncSettingsDisplayDriver>>());

    private static ShopifySyncSettingsViewModel Form(string? accessToken = null, string? webhookSecret = null, bool keepPrevious = true) => new()
    {
        Enabled = true,
        InboundEnabled = true,
        DefaultCountryCallingCode = "1",
        Stores =
        [
            new ShopifyStoreViewModel
            {
                Handle = "uk",
                ShopDomain = TenantServices.UkDomain,
                Enabled = true,
                AccessToken = accessToken,
                WebhookSecret = webhookSecret,
                KeepPreviousWebhookSecret = keepPrevious,
            },
        ],
    };

    private static Dictionary<string, StringValues> Headers(string domain, string secret, out byte[] body)
    {
        body = Encoding.UTF8.GetBytes("""{"id":1}""");
        return new Dictionary<string, StringValues>
        {
            [ShopifyWebhookHeaders.Topic] = ShopifyTopics.CustomersDelete,
            [ShopifyWebhookHeaders.HmacSha256] = WebhookSignature.Compute(body, secret),
            [ShopifyWebhookHeaders.ShopDomain] = domain,
            [ShopifyWebhookHeaders.WebhookId] = Guid.NewGuid().ToString("N"),
        };
    }
}

public sealed class AdminMenuTests
{
    [Fact]
    public async Task Admin_menu_links_the_shopify_settings_for_users_with_the_manage_permission()
    {
        using var services = new ServiceCollection().AddLogging().AddLocalization().BuildServiceProvider();
        var builder = new global::OrchardCore.Navigation.NavigationBuilder();

        await new AdminMenu(services.GetRequiredService<IStringLocalizer<AdminMenu>>()).BuildNavigationAsync("admin", builder);

        var shopify = Flatten(builder.Build()).Single(i => i.Text.Value == "Shopify");
        Assert.Equal([ShopifySyncPermissions.ManageShopifySync], shopify.Permissions);
        Assert.Equal(("OrchardCore.Settings", "shopify"), (shopify.RouteValues["area"], shopify.RouteValues["groupId"]));
    }

    private static IEnumerable<global::OrchardCore.Navigation.MenuItem> Flatten(IEnumerable<global::OrchardCore.Navigation.MenuItem> items) =>
        items.SelectMany(i => new[] { i }.Concat(Flatten(i.Items)));
}
