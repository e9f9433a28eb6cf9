using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;
using OrchardCore.DisplayManagement.Entities;
using OrchardCore.DisplayManagement.Handlers;
using OrchardCore.DisplayManagement.Views;
using OrchardCore.Environment.Shell.Scope;
using OrchardCore.Settings;
using OrchardShopify.AspNetCore.DependencyInjection;
using OrchardShopify.Core.Configuration;
using OrchardShopify.OrchardCore.Hosting;
using OrchardShopify.OrchardCore.Settings;
using OrchardShopify.OrchardCore.ViewModels;

namespace OrchardShopify.OrchardCore.Drivers;

/// <summary>
/// Admin › Settings › Shopify. Secrets are write-only: the page shows whether one is stored, never its value.
/// The engine's validator checks the result before it is saved; once saved, the settings apply without a restart.
/// </summary>
internal sealed class ShopifySyncSettingsDisplayDriver : SiteDisplayDriver<ShopifySyncSettings>
{
    private readonly IAuthorizationService _authorizationService;
    private readonly IHttpContextAccessor _httpContextAccessor;
    private readonly ShopifySecretProtector _protector;
    private readonly ShopifySyncSettingsSnapshot _snapshot;
    private readonly ShopifySyncReadiness _readiness;
    private readonly IEnumerable<IConfigureOptions<ShopifySyncOptions>> _configuration;

    internal readonly IStringLocalizer S;

    public ShopifySyncSettingsDisplayDriver(
        IAuthorizationService authorizationService,
        IHttpContextAccessor httpContextAccessor,
        ShopifySecretProtector protector,
        ShopifySyncSettingsSnapshot snapshot,
        ShopifySyncReadiness readiness,
        IEnumerable<IConfigureOptions<ShopifySyncOptions>> configuration,
        IStringLocalizer<ShopifySyncSettingsDisplayDriver> stringLocalizer)
    {
        _authorizationService = authorizationService;
        _httpContextAccessor = httpContextAccessor;
        _protector = protector;
        _snapshot = snapshot;
        _readiness = readiness;
        _configuration = configuration;
        S = stringLocalizer;
    }

    protected override string SettingsGroupId
        => ShopifySyncConstants.SettingsGroupId;

    public override async Task<IDisplayResult> EditAsync(ISite site, ShopifySyncSettings settings, BuildEditorContext context)
    {
        if (!await IsAuthorizedAsync())
        {
            return null!;
        }

        return Initialize<ShopifySyncSettingsViewModel>("ShopifySyncSettings_Edit", model =>
        {
            Describe(settings, model);
            model.HasDecryptionError = _snapshot.HasDecryptionError;
            model.Problems = _readiness.Problems();
            model.WebhookUrl = ShopifyEndpointRouteBuilderExtensions.Prefix + "/webhook";
        }).Location("Content:5")
        .OnGroup(SettingsGroupId);
    }

    public override async Task<IDisplayResult> UpdateAsync(ISite site, ShopifySyncSettings settings, UpdateEditorContext context)
    {
        if (!await IsAuthorizedAsync())
        {
            return null!;
        }

        var model = new ShopifySyncSettingsViewModel();
        await context.Updater.TryUpdateModelAsync(model, Prefix);

        var updated = Apply(model, settings);
        foreach (var problem in Validate(updated))
        {
            context.Updater.ModelState.AddModelError(Prefix, problem);
        }

        if (context.Updater.ModelState.IsValid)
        {
            Copy(updated, settings);

            // After the request's unit of work commits the site settings, the running sync picks them up.
            ShellScope.AddDeferredTask(scope => SyncSettingsApplier.ApplySavedSettingsAsync(scope.ServiceProvider));
        }

        return await EditAsync(site, settings, context);
    }

    /// <summary>What the form shows: every setting, and for each secret only whether one is stored.</summary>
    internal static void Describe(ShopifySyncSettings settings, ShopifySyncSettingsViewModel model)
    {
        model.Enabled = settings.Enabled;
        model.InboundEnabled = settings.InboundEnabled;
        model.CreateUsersFromShopify = settings.CreateUsersFromShopify;
        model.UpdateUsersInShopify = settings.UpdateUsersInShopify;
        model.UpdateShopifyUserJob = settings.UpdateShopifyUserJob;
        model.MultiStore = settings.MultiStore;
        model.MatchStrategy = settings.MatchStrategy;
        model.RefreshLinkedUserProfile = settings.RefreshLinkedUserProfile;
        model.RefreshEmailFromShopify = settings.RefreshEmailFromShopify;
        model.DefaultCountryCallingCode = settings.DefaultCountryCallingCode;
        model.ApiVersion = settings.ApiVersion;
        model.HasWebhookSecret = !string.IsNullOrEmpty(settings.WebhookSecret);
        model.Stores = settings.Stores.Select(store => new ShopifyStoreViewModel
        {
            Handle = store.Handle,
            ShopDomain = store.ShopDomain,
            Enabled = store.Enabled,
            ApiVersion = store.ApiVersion,
            HasAccessToken = !string.IsNullOrEmpty(store.AccessToken),
            HasWebhookSecret = !string.IsNullOrEmpty(store.WebhookSecret),
            HasPreviousWebhookSecret = !string.IsNullOrEmpty(store.PreviousWebhookSecret),
        }).ToList();

        // One blank row adds a store.
        model.Stores.Add(new ShopifyStoreViewModel());
    }

    /// <summary>The settings the form asks for, secrets encrypted; blank secrets keep the stored ones.</summary>
    internal ShopifySyncSettings Apply(ShopifySyncSettingsViewModel model, ShopifySyncSettings stored)
    {
        var result = new ShopifySyncSettings
        {
            Enabled = model.Enabled,
            InboundEnabled = model.InboundEnabled,
            CreateUsersFromShopify = model.CreateUsersFromShopify,
            UpdateUsersInShopify = model.UpdateUsersInShopify,
            UpdateShopifyUserJob = Trim(model.UpdateShopifyUserJob),
            MultiStore = model.MultiStore,
            MatchStrategy = model.MatchStrategy,
            RefreshLinkedUserProfile = model.RefreshLinkedUserProfile,
            RefreshEmailFromShopify = model.RefreshEmailFromShopify,
            DefaultCountryCallingCode = Trim(model.DefaultCountryCallingCode) ?? "1",
            ApiVersion = Trim(model.ApiVersion),
            WebhookSecret = string.IsNullOrWhiteSpace(model.WebhookSecret) ? stored.WebhookSecret : _protector.Protect(model.WebhookSecret.Trim()),
        };

        foreach (var row in model.Stores)
        {
            var handle = Trim(row.Handle);
            if (row.Remove || handle is null)
            {
                continue;
            }

            var existing = stored.Stores.FirstOrDefault(s => string.Equals(s.Handle, handle, StringComparison.OrdinalIgnoreCase));
            var store = new ShopifyStoreSettings
            {
                Handle = handle,
                ShopDomain = Trim(row.ShopDomain) ?? "",
                Enabled = row.Enabled,
                ApiVersion = Trim(row.ApiVersion),
                AccessToken = string.IsNullOrWhiteSpace(row.AccessToken) ? existing?.AccessToken : _protector.Protect(row.AccessToken.Trim()),
                WebhookSecret = existing?.WebhookSecret,
                PreviousWebhookSecret = row.KeepPreviousWebhookSecret ? existing?.PreviousWebhookSecret : null,
            };

            if (!string.IsNullOrWhiteSpace(row.WebhookSecret))
            {
                // A new secret: the one it replaces stays accepted while Shopify still signs with it.
                store.PreviousWebhookSecret = existing?.WebhookSecret ?? store.PreviousWebhookSecret;
                store.WebhookSecret = _protector.Protect(row.WebhookSecret.Trim());
            }

            result.Stores.Add(store);
        }

        return result;
    }

    private IEnumerable<string> Validate(ShopifySyncSettings updated)
    {
        if (updated.Stores.GroupBy(s => s.Handle, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1) is { } duplicate)
        {
            yield return S["Two stores have the handle '{0}'.", duplicate.Key];
        }

        // The engine's own rules decide, over what the tenant would run with once saved: its configuration, then these settings.
        var options = new ShopifySyncOptions();
        foreach (var setup in _configuration.Where(c => c is not ShopifySyncSettingsConfiguration))
        {
            if (setup is IConfigureNamedOptions<ShopifySyncOptions> named)
            {
                named.Configure(Options.DefaultName, options);
            }
            else
            {
                setup.Configure(options);
            }
        }

        ShopifySyncSettingsConfiguration.Apply(ToClear(updated), options);
        foreach (var problem in ShopifySyncOptionsValidator.Validate(options))
        {
            yield return problem;
        }
    }

    private ShopifySyncSettings ToClear(ShopifySyncSettings updated)
    {
        using var snapshot = new ShopifySyncSettingsSnapshot(_protector);
        snapshot.Apply(updated);
        return snapshot.Current!;
    }

    private static void Copy(ShopifySyncSettings from, ShopifySyncSettings to)
    {
        to.Enabled = from.Enabled;
        to.InboundEnabled = from.InboundEnabled;
        to.CreateUsersFromShopify = from.CreateUsersFromShopify;
        to.UpdateUsersInShopify = from.UpdateUsersInShopify;
        to.UpdateShopifyUserJob = from.UpdateShopifyUserJob;
        to.MultiStore = from.MultiStore;
        to.MatchStrategy = from.MatchStrategy;
        to.RefreshLinkedUserProfile = from.RefreshLinkedUserProfile;
        to.RefreshEmailFromShopify = from.RefreshEmailFromShopify;
        to.DefaultCountryCallingCode = from.DefaultCountryCallingCode;
        to.ApiVersion = from.ApiVersion;
        to.WebhookSecret = from.WebhookSecret;
        to.Stores = from.Stores;
    }

    private async Task<bool> IsAuthorizedAsync()
    {
        var user = _httpContextAccessor.HttpContext?.User;
        return user is not null && await _authorizationService.AuthorizeAsync(user, ShopifySyncPermissions.ManageShopifySync);
    }

    private static string? Trim(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
