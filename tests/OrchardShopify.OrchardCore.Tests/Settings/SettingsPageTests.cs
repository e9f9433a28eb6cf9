using System.Globalization;
using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using OrchardCore.DisplayManagement.Handlers;
using OrchardCore.Entities;
using OrchardCore.Environment.Shell.Configuration;
using OrchardCore.Settings;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.Phones;
using OrchardShopify.Core.Sync;
using OrchardShopify.Core.Webhooks;
using OrchardShopify.OrchardCore.Drivers;
using OrchardShopify.OrchardCore.Settings;
using OrchardShopify.OrchardCore.Tests.Support;
using OrchardShopify.OrchardCore.ViewModels;
using OrchardShopify.Testing;

namespace OrchardShopify.OrchardCore.Tests.Settings;

/// <summary>
/// Admin › Settings › Shopify on a tenant configured by <c>OrchardCore:OrchardShopify:*</c>: what the page shows, and
/// what a Save posted as the browser sends it (real MVC model binding) stores and runs with.
/// </summary>
public sealed class SettingsPageTests : IDisposable
{
    /// <summary>The names the page's inputs are rendered with (the driver's prefix: site, then section).</summary>
    private const string Field = "ISite.ShopifySyncSettings.";

    private readonly string _appData = Path.Combine(Path.GetTempPath(), "orchardshopify-oc-tests", Guid.NewGuid().ToString("N"));
    private readonly ServiceProvider _provider;

    public SettingsPageTests()
    {
        var configuration = TenantServices.UkStore();
        configuration["OrchardShopify:CreateUsersFromShopify"] = "true";
        configuration["OrchardShopify:DefaultCountryCallingCode"] = "44";
        var (services, _) = TenantServices.Create(_appData, configuration);
        services.AddAuthorizationCore();
        services.AddSingleton<IAuthorizationHandler, AdministratorGrants>();
        _provider = services.BuildServiceProvider();
    }

    public void Dispose() => _provider.Dispose();

    [Fact]
    public void Page_shows_the_values_the_tenant_runs_with_and_which_come_from_configuration()
    {
        var model = Page(new ShopifySyncSettings());

        Assert.True(model.CreateUsersFromShopify);
        Assert.Equal("44", model.DefaultCountryCallingCode);
        var uk = model.Stores[0];
        Assert.Equal(("uk", TenantServices.UkDomain, true, false), (uk.Handle, uk.ShopDomain, uk.HasWebhookSecret, uk.HasAccessToken));
        Assert.Equal("OrchardCore:OrchardShopify:CreateUsersFromShopify", model.ConfigurationKeys["CreateUsersFromShopify"]);
        Assert.Equal("OrchardCore:OrchardShopify:DefaultCountryCallingCode", model.ConfigurationKeys["DefaultCountryCallingCode"]);
        Assert.Equal("OrchardCore:OrchardShopify:Stores:uk:ShopDomain", model.ConfigurationKeys["Stores:uk:ShopDomain"]);
        Assert.Equal("OrchardCore:OrchardShopify:Stores:uk:WebhookSecret", model.ConfigurationKeys["Stores:uk:WebhookSecret"]);

        // Defaults are not configuration.
        Assert.False(model.ConfigurationKeys.ContainsKey("Enabled"));
        Assert.False(model.ConfigurationKeys.ContainsKey("Stores:uk:AccessToken"));
    }

    [Fact]
    public async Task Untouched_save_stores_nothing_and_the_next_customers_create_still_creates_the_user()
    {
        var site = InMemorySite.Create();

        var saved = await SaveAsync(site, FormOf(Page(new ShopifySyncSettings())));

        Assert.Null(saved.CreateUsersFromShopify);
        Assert.Null(saved.DefaultCountryCallingCode);
        Assert.Empty(saved.Stores);
        var options = Running(saved);
        Assert.True(options.CreateUsersFromShopify);
        Assert.Equal("44", options.DefaultCountryCallingCode);

        // What the tenant then does with Shopify's next customers/create: the customer matches nobody, a user is created.
        var users = new InMemoryUserDirectory();
        var result = await ApplyCustomersCreateAsync(users);
        Assert.Equal(InboundOutcome.Created, result.Outcome);
        Assert.Equal("steve.lastnameson@example.com", Assert.Single(users.All).Email);
    }

    [Fact]
    public async Task A_changed_value_is_stored_and_wins_while_the_untouched_configured_ones_still_come_from_configuration()
    {
        var site = InMemorySite.Create();
        var form = FormOf(Page(new ShopifySyncSettings()));
        form[Field + "CreateUsersFromShopify"] = "false";
        form[Field + "Stores[0].AccessToken"] = "shpat_saved_on_the_site";

        var saved = await SaveAsync(site, form);
        var page = Page(saved);

        Assert.False(saved.CreateUsersFromShopify);
        Assert.Null(saved.DefaultCountryCallingCode);
        var uk = Assert.Single(saved.Stores);
        Assert.Equal(("uk", (string?)null), (uk.Handle, uk.ShopDomain));
        Assert.False(Running(saved).CreateUsersFromShopify);
        Assert.Equal("44", Running(saved).DefaultCountryCallingCode);
        Assert.Equal("shpat_saved_on_the_site", _provider.GetRequiredService<StoreRegistry>().FindByHandle("uk")!.AccessToken);
        Assert.False(page.CreateUsersFromShopify);
        Assert.False(page.ConfigurationKeys.ContainsKey("CreateUsersFromShopify"));
        Assert.False(page.ConfigurationKeys.ContainsKey("Stores:uk:AccessToken"));
        Assert.True(page.ConfigurationKeys.ContainsKey("DefaultCountryCallingCode"));
        Assert.True(page.Stores[0].HasAccessToken);
    }

    [Fact]
    public async Task A_default_phone_region_entered_on_the_page_replaces_the_configured_calling_code_and_a_wrong_one_is_refused()
    {
        var site = InMemorySite.Create();
        var before = Page(new ShopifySyncSettings());
        var wrong = FormOf(before);
        wrong[Field + "DefaultRegion"] = "UK";
        var form = FormOf(before);
        form[Field + "DefaultRegion"] = "it";

        var (errors, refused) = await SaveWithErrorsAsync(site, wrong);
        var saved = await SaveAsync(site, form);
        var options = Running(saved);

        Assert.Equal("GB", before.PhoneRegion);
        Assert.Null(refused);
        Assert.Contains(errors, e => e.StartsWith("'Default phone region' 'UK' is not a region code libphonenumber knows", StringComparison.Ordinal));
        Assert.Equal("IT", saved.DefaultRegion);
        Assert.Equal("IT", PhoneNormalizer.DefaultRegionOf(options));
        Assert.Equal("+390669821234", PhoneNormalizer.NormalizeOrNull("06 6982 1234", PhoneNormalizer.DefaultRegionOf(options)));
        Assert.Equal("IT", Page(saved).PhoneRegion);
    }

    [Fact]
    public async Task A_new_webhook_secret_for_a_store_whose_secret_is_configured_keeps_the_configured_one_accepted()
    {
        var site = InMemorySite.Create();
        var form = FormOf(Page(new ShopifySyncSettings()));
        form[Field + "Stores[0].WebhookSecret"] = "uk-rotated-secret";

        Running(await SaveAsync(site, form));
        var verifier = _provider.GetRequiredService<WebhookVerifier>();

        Assert.Equal("uk", verifier.Verify(Signed("uk-rotated-secret", out var rotated), rotated).Store.Handle);
        Assert.Equal("uk", verifier.Verify(Signed(TenantServices.UkSecret, out var configured), configured).Store.Handle);
    }

    [Fact]
    public async Task A_store_row_without_a_handle_and_a_renamed_store_are_refused_with_the_reason_and_nothing_is_saved()
    {
        var site = InMemorySite.Create();

        // A new store's row filled in but for its handle: refused rather than dropped with its token.
        var form = FormOf(Page(new ShopifySyncSettings()));
        form[Field + "Stores[1].ShopDomain"] = TenantServices.UsDomain;
        form[Field + "Stores[1].AccessToken"] = "shpat_typed_once";
        var (errors, saved) = await SaveWithErrorsAsync(site, form);
        Assert.Null(saved);
        Assert.Equal(["A store needs a handle (like uk or us): the new store was not saved. Type its access token and webhook secret again with the handle."], errors);

        // A shown store's handle changed (its secrets and users' links are under the old one): refused.
        form = FormOf(Page(new ShopifySyncSettings()));
        form[Field + "Stores[0].Handle"] = "gb";
        (errors, saved) = await SaveWithErrorsAsync(site, form);
        Assert.Null(saved);
        Assert.Contains(errors, e => e.StartsWith("The handle of store 'uk' cannot be changed", StringComparison.Ordinal));

        // The same page with a handle for the new store saves it.
        form = FormOf(Page(new ShopifySyncSettings()));
        form[Field + "MultiStore"] = "true";
        form[Field + "Stores[1].Handle"] = "us";
        form[Field + "Stores[1].ShopDomain"] = TenantServices.UsDomain;
        form[Field + "Stores[1].WebhookSecret"] = "us-secret";
        var stored = await SaveAsync(site, form);
        Assert.Contains(stored.Stores, s => s.Handle == "us" && s.ShopDomain == TenantServices.UsDomain);
    }

    [Fact]
    public async Task Validation_messages_name_the_page_fields_and_orchard_core_configuration_keys()
    {
        var site = InMemorySite.Create();
        var form = FormOf(Page(new ShopifySyncSettings()));
        form[Field + "Stores[0].ShopDomain"] = "https://uk-store.myshopify.com/admin";
        form[Field + "DefaultCountryCallingCode"] = "+44";
        form[Field + "Stores[1].Handle"] = "us";
        form[Field + "Stores[1].ShopDomain"] = TenantServices.UsDomain;

        var (errors, saved) = await SaveWithErrorsAsync(site, form);

        Assert.Null(saved);
        Assert.Contains(errors, e => e.StartsWith("'Store uk › Shop domain' 'https://uk-store.myshopify.com/admin' is not a host name", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("'Default country calling code' must be 1 to 3 digits", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("'Store us › Webhook secret' is required (or set 'Webhook secret for every store' for all stores)", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("'Several stores' is false but 'Stores' has 2 stores", StringComparison.Ordinal));
        Assert.All(errors, e => Assert.DoesNotContain("Shopify:", e, StringComparison.Ordinal));

        // A key the page has no field for is named as the site's configuration names it.
        var driver = Driver(new AdminFormPost(new Dictionary<string, string>()));
        Assert.Equal(
            "OrchardCore:OrchardShopify:MaxWebhookBodyBytes must be between 1024 and 67108864 (was 10).",
            driver.ForThisSite("Shopify:MaxWebhookBodyBytes must be between 1024 and 67108864 (was 10)."));
    }

    private ShopifySyncSettingsViewModel Page(ShopifySyncSettings saved)
    {
        using var post = new AdminFormPost(new Dictionary<string, string>());
        var model = new ShopifySyncSettingsViewModel();
        Driver(post).Describe(saved, model);
        return model;
    }

    /// <summary>Runs the tenant with <paramref name="saved"/>, as the deferred task after a Save does, and returns its options.</summary>
    private ShopifySyncOptions Running(ShopifySyncSettings saved)
    {
        _provider.GetRequiredService<ShopifySyncSettingsSnapshot>().Apply(saved);
        return _provider.GetRequiredService<IOptionsMonitor<ShopifySyncOptions>>().CurrentValue;
    }

    private async Task<ShopifySyncSettings> SaveAsync(ISite site, Dictionary<string, string> form)
    {
        var (errors, saved) = await SaveWithErrorsAsync(site, form);
        Assert.Empty(errors);
        return saved!;
    }

    /// <summary>The settings admin's Save of the Shopify group: the driver binds the post and, when valid, the section is stored.</summary>
    private async Task<(List<string> Errors, ShopifySyncSettings? Saved)> SaveWithErrorsAsync(ISite site, Dictionary<string, string> form)
    {
        using var post = new AdminFormPost(form);
        post.HttpContext.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "admin")], "test"));
        IDisplayDriver<ISite> driver = Driver(post);
        var context = new UpdateEditorContext(null!, ShopifySyncConstants.SettingsGroupId, false, "", null!, null!, post.Updater);

        await driver.UpdateEditorAsync(site, context);

        var errors = post.Updater.ModelState.Values.SelectMany(v => v.Errors).Select(e => e.ErrorMessage).ToList();
        return (errors, errors.Count == 0 ? EntityExtensions.As<ShopifySyncSettings>(site) : null);
    }

    private ShopifySyncSettingsDisplayDriver Driver(AdminFormPost post) => new(
        _provider.GetRequiredService<IAuthorizationService>(),
        post.Accessor,
        _provider.GetRequiredService<ShopifySecretProtector>(),
        _provider.GetRequiredService<ShopifySyncSettingsSnapshot>(),
        _provider.GetRequiredService<ShopifySyncReadiness>(),
        _provider.GetServices<IConfigureOptions<ShopifySyncOptions>>(),
        _provider.GetRequiredService<IShellConfiguration>(),
        _provider.GetRequiredService<IStringLocalizer<ShopifySyncSettingsDisplayDriver>>());

    /// <summary>The form as the browser posts the page back: every input with its shown value, secrets blank, checkboxes true/false.</summary>
    private static Dictionary<string, string> FormOf(ShopifySyncSettingsViewModel page)
    {
        var form = new Dictionary<string, string>
        {
            [Field + "Enabled"] = Bool(page.Enabled),
            [Field + "InboundEnabled"] = Bool(page.InboundEnabled),
            [Field + "CreateUsersFromShopify"] = Bool(page.CreateUsersFromShopify),
            [Field + "UpdateUsersInShopify"] = Bool(page.UpdateUsersInShopify),
            [Field + "MultiStore"] = Bool(page.MultiStore),
            [Field + "RefreshLinkedUserProfile"] = Bool(page.RefreshLinkedUserProfile),
            [Field + "RefreshEmailFromShopify"] = Bool(page.RefreshEmailFromShopify),
            [Field + "MatchStrategy"] = page.MatchStrategy.ToString(),
            [Field + "DefaultRegion"] = page.DefaultRegion ?? "",
            [Field + "DefaultCountryCallingCode"] = page.DefaultCountryCallingCode ?? "",
            [Field + "ApiVersion"] = page.ApiVersion ?? "",
            [Field + "UpdateShopifyUserJob"] = page.UpdateShopifyUserJob ?? "",
            [Field + "WebhookSecret"] = "",
        };
        for (var i = 0; i < page.Stores.Count; i++)
        {
            var store = page.Stores[i];
            var row = string.Create(CultureInfo.InvariantCulture, $"{Field}Stores[{i}].");
            form[row + "Handle"] = store.Handle ?? "";
            if (store.OriginalHandle is not null)
            {
                // The hidden input beside the read-only handle of a store the page showed.
                form[row + "OriginalHandle"] = store.OriginalHandle;
            }

            form[row + "ShopDomain"] = store.ShopDomain ?? "";
            form[row + "ApiVersion"] = store.ApiVersion ?? "";
            form[row + "AccessToken"] = "";
            form[row + "WebhookSecret"] = "";
            form[row + "Enabled"] = Bool(store.Enabled);
            form[row + "KeepPreviousWebhookSecret"] = Bool(store.KeepPreviousWebhookSecret);
        }

        return form;
    }

    private async Task<InboundResult> ApplyCustomersCreateAsync(InMemoryUserDirectory users)
    {
        var body = await File.ReadAllBytesAsync(Path.Combine(AppContext.BaseDirectory, "Payloads", "customers-create-steve-lastnameson.json"));
        var headers = new Dictionary<string, StringValues>
        {
            [ShopifyWebhookHeaders.Topic] = ShopifyTopics.CustomersCreate,
            [ShopifyWebhookHeaders.HmacSha256] = WebhookSignature.Compute(body, TenantServices.UkSecret),
            [ShopifyWebhookHeaders.ShopDomain] = TenantServices.UkDomain,
            [ShopifyWebhookHeaders.WebhookId] = Guid.NewGuid().ToString("N"),
        };
        var delivery = _provider.GetRequiredService<WebhookVerifier>().Verify(headers, body);
        var sync = new InboundCustomerSync(
            _provider.GetRequiredService<StoreRegistry>(), users, new InMemoryCustomerLinkStore(), new InMemorySyncLog(), TimeProvider.System, NullLogger<InboundCustomerSync>.Instance);
        return await sync.ApplyAsync(delivery, CancellationToken.None);
    }

    private static Dictionary<string, StringValues> Signed(string secret, out byte[] body)
    {
        body = Encoding.UTF8.GetBytes("""{"id":1073339470}""");
        return new Dictionary<string, StringValues>
        {
            [ShopifyWebhookHeaders.Topic] = ShopifyTopics.CustomersDelete,
            [ShopifyWebhookHeaders.HmacSha256] = WebhookSignature.Compute(body, secret),
            [ShopifyWebhookHeaders.ShopDomain] = TenantServices.UkDomain,
            [ShopifyWebhookHeaders.WebhookId] = Guid.NewGuid().ToString("N"),
        };
    }

    private static string Bool(bool value) => value ? "true" : "false";

    /// <summary>The signed-in administrator has the Manage Shopify sync permission.</summary>
    private sealed class AdministratorGrants : IAuthorizationHandler
    {
        public Task HandleAsync(AuthorizationHandlerContext context)
        {
            if (context.User.Identity?.IsAuthenticated == true)
            {
                foreach (var requirement in context.PendingRequirements.ToList())
                {
                    context.Succeed(requirement);
                }
            }

            return Task.CompletedTask;
        }
    }
}
