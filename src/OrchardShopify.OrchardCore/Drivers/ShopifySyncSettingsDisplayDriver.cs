using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;
using OrchardCore.DisplayManagement.Entities;
using OrchardCore.DisplayManagement.Handlers;
using OrchardCore.DisplayManagement.Views;
using OrchardCore.Environment.Shell.Configuration;
using OrchardCore.Environment.Shell.Scope;
using OrchardCore.Settings;
using OrchardShopify.AspNetCore.DependencyInjection;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.Phones;
using OrchardShopify.OrchardCore.Hosting;
using OrchardShopify.OrchardCore.Settings;
using OrchardShopify.OrchardCore.ViewModels;

namespace OrchardShopify.OrchardCore.Drivers;

/// <summary>
/// Admin › Settings › Shopify. The page shows the values the tenant runs with, marks those that come from its
/// configuration, and stores only what differs from the configuration. Secrets are write-only: the page shows
/// whether one is set, never its value.
/// The engine's validator checks the result before it is saved; once saved, the settings apply without a restart.
/// </summary>
internal sealed partial class ShopifySyncSettingsDisplayDriver : SiteDisplayDriver<ShopifySyncSettings>
{
    private readonly IAuthorizationService _authorizationService;
    private readonly IHttpContextAccessor _httpContextAccessor;
    private readonly ShopifySecretProtector _protector;
    private readonly ShopifySyncSettingsSnapshot _snapshot;
    private readonly ShopifySyncReadiness _readiness;
    private readonly IEnumerable<IConfigureOptions<ShopifySyncOptions>> _configuration;

    /// <summary>How an Orchard Core site names the sync's configuration keys (the tenant section <c>OrchardShopify</c>).</summary>
    private const string ConfigurationRoot = "OrchardCore:" + ShopifySyncConstants.ConfigurationSection + ":";

    private readonly IShellConfiguration _shellConfiguration;

    internal readonly IStringLocalizer S;

    public ShopifySyncSettingsDisplayDriver(
        IAuthorizationService authorizationService,
        IHttpContextAccessor httpContextAccessor,
        ShopifySecretProtector protector,
        ShopifySyncSettingsSnapshot snapshot,
        ShopifySyncReadiness readiness,
        IEnumerable<IConfigureOptions<ShopifySyncOptions>> configuration,
        IShellConfiguration shellConfiguration,
        IStringLocalizer<ShopifySyncSettingsDisplayDriver> stringLocalizer)
    {
        _authorizationService = authorizationService;
        _httpContextAccessor = httpContextAccessor;
        _protector = protector;
        _snapshot = snapshot;
        _readiness = readiness;
        _configuration = configuration;
        _shellConfiguration = shellConfiguration;
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
            model.Problems = _readiness.Problems().Select(ForThisSite).ToList();
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

        if (CatchUpIntervalProblem(model.CatchUpInterval) is { } intervalProblem)
        {
            context.Updater.ModelState.AddModelError(Prefix + "." + nameof(model.CatchUpInterval), intervalProblem);
        }

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

    /// <summary>
    /// What the form shows: the values the tenant runs with (its configuration, then the values saved on the site),
    /// which of them come from configuration, and for each secret only whether one is set.
    /// </summary>
    internal void Describe(ShopifySyncSettings saved, ShopifySyncSettingsViewModel model)
    {
        var configured = ConfiguredOptions();

        // Presence only: the secrets in the effective options stay encrypted and never reach the model.
        var effective = ConfiguredOptions();
        ShopifySyncSettingsConfiguration.Apply(saved, effective);

        model.Enabled = effective.Enabled;
        model.InboundEnabled = effective.InboundEnabled;
        model.CreateUsersFromShopify = effective.CreateUsersFromShopify;
        model.UpdateUsersInShopify = effective.UpdateUsersInShopify;
        model.UpdateShopifyUserJob = effective.UpdateShopifyUserJob;
        model.MultiStore = effective.MultiStore;
        model.MatchStrategy = effective.MatchStrategy;
        model.RefreshLinkedUserProfile = effective.RefreshLinkedUserProfile;
        model.RefreshEmailFromShopify = effective.RefreshEmailFromShopify;
        model.DefaultRegion = effective.DefaultRegion;
        model.PhoneRegion = PhoneNormalizer.DefaultRegionOf(effective);
        model.DefaultCountryCallingCode = effective.DefaultCountryCallingCode;
        model.ApiVersion = effective.ApiVersion;
        model.HasWebhookSecret = !string.IsNullOrEmpty(effective.WebhookSecret);
        var catchUp = ConfiguredCatchUp();
        ShopifyCatchUpSettingsConfiguration.Apply(saved, catchUp);
        model.CatchUpEnabled = catchUp.Enabled;
        model.CatchUpInterval = catchUp.Interval.ToString("c", CultureInfo.InvariantCulture);
        model.Stores = effective.Stores.OrderBy(pair => pair.Key, StringComparer.OrdinalIgnoreCase).Select(pair => new ShopifyStoreViewModel
        {
            Handle = pair.Key,
            ShopDomain = pair.Value.ShopDomain,
            Enabled = pair.Value.Enabled,
            ApiVersion = pair.Value.ApiVersion,
            HasAccessToken = !string.IsNullOrEmpty(pair.Value.AccessToken),
            HasWebhookSecret = !string.IsNullOrEmpty(pair.Value.WebhookSecret),
            HasPreviousWebhookSecret = !string.IsNullOrEmpty(pair.Value.PreviousWebhookSecret),
            IsConfigured = configured.Stores.ContainsKey(pair.Key),
            IsSaved = FindStore(saved, pair.Key) is not null,
        }).ToList();

        // One blank row adds a store.
        model.Stores.Add(new ShopifyStoreViewModel());
        model.ConfigurationKeys = ConfigurationKeys(saved);
    }

    /// <summary>
    /// The settings to store for what the form posted, secrets encrypted: only the values that differ from the
    /// tenant's configuration (and the engine's defaults), so an untouched Save stores nothing new and a later change
    /// of configuration still applies. Blank secrets keep the stored (or configured) ones.
    /// </summary>
    internal ShopifySyncSettings Apply(ShopifySyncSettingsViewModel model, ShopifySyncSettings stored)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(stored);
        var configured = ConfiguredOptions();
        var configuredCatchUp = ConfiguredCatchUp();
        var interval = ParseInterval(model.CatchUpInterval);
        var result = new ShopifySyncSettings
        {
            CatchUpEnabled = Differing(model.CatchUpEnabled, configuredCatchUp.Enabled),
            CatchUpInterval = interval is null || interval == configuredCatchUp.Interval ? null : interval,
            Enabled = Differing(model.Enabled, configured.Enabled),
            InboundEnabled = Differing(model.InboundEnabled, configured.InboundEnabled),
            CreateUsersFromShopify = Differing(model.CreateUsersFromShopify, configured.CreateUsersFromShopify),
            UpdateUsersInShopify = Differing(model.UpdateUsersInShopify, configured.UpdateUsersInShopify),
            UpdateShopifyUserJob = Differing(Trim(model.UpdateShopifyUserJob), configured.UpdateShopifyUserJob),
            MultiStore = Differing(model.MultiStore, configured.MultiStore),
            MatchStrategy = model.MatchStrategy == configured.MatchStrategy ? null : model.MatchStrategy,
            RefreshLinkedUserProfile = Differing(model.RefreshLinkedUserProfile, configured.RefreshLinkedUserProfile),
            RefreshEmailFromShopify = Differing(model.RefreshEmailFromShopify, configured.RefreshEmailFromShopify),
            DefaultRegion = Differing(Trim(model.DefaultRegion)?.ToUpperInvariant(), string.IsNullOrWhiteSpace(configured.DefaultRegion) ? null : configured.DefaultRegion.Trim().ToUpperInvariant()),
            DefaultCountryCallingCode = Differing(Trim(model.DefaultCountryCallingCode), configured.DefaultCountryCallingCode),
            ApiVersion = Differing(Trim(model.ApiVersion), configured.ApiVersion),
            WebhookSecret = string.IsNullOrWhiteSpace(model.WebhookSecret) ? stored.WebhookSecret : _protector.Protect(model.WebhookSecret.Trim()),
        };

        foreach (var row in model.Stores)
        {
            var handle = Trim(row.Handle);
            if (row.Remove || handle is null)
            {
                // Removing a configured store forgets what was saved for it here; its configuration stays.
                continue;
            }

            var existing = FindStore(stored, handle);
            var configuredStore = configured.Stores.GetValueOrDefault(handle);
            var store = new ShopifyStoreSettings
            {
                Handle = handle,
                ShopDomain = Differing(Trim(row.ShopDomain), configuredStore?.ShopDomain),
                Enabled = row.Enabled == (configuredStore?.Enabled ?? true) ? null : row.Enabled,
                ApiVersion = Differing(Trim(row.ApiVersion), configuredStore?.ApiVersion),
                AccessToken = string.IsNullOrWhiteSpace(row.AccessToken) ? existing?.AccessToken : _protector.Protect(row.AccessToken.Trim()),
                WebhookSecret = existing?.WebhookSecret,
                PreviousWebhookSecret = row.KeepPreviousWebhookSecret ? existing?.PreviousWebhookSecret : null,
            };

            if (!string.IsNullOrWhiteSpace(row.WebhookSecret))
            {
                // A new secret: the one it replaces (saved here, or else configured) stays accepted while Shopify still signs with it.
                store.PreviousWebhookSecret = existing?.WebhookSecret ?? _protector.Protect(configuredStore?.WebhookSecret) ?? store.PreviousWebhookSecret;
                store.WebhookSecret = _protector.Protect(row.WebhookSecret.Trim());
            }

            if (configuredStore is not null && store.IsEmpty)
            {
                // Exactly as configured: nothing to save for it.
                continue;
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
        var options = ConfiguredOptions();
        ShopifySyncSettingsConfiguration.Apply(ToClear(updated), options);
        foreach (var problem in ShopifySyncOptionsValidator.Validate(options))
        {
            yield return ForThisSite(problem);
        }
    }

    /// <summary>
    /// Why the catch-up interval typed on the page cannot be used, or null when it can (blank keeps the configured one).
    /// The range is the host's (<c>CatchUp:Interval</c>).
    /// </summary>
    internal string? CatchUpIntervalProblem(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var interval = ParseInterval(text);
        return interval is null || interval < TimeSpan.FromSeconds(1) || interval > TimeSpan.FromDays(7)
            ? S["Catch-up interval must be a time between 00:00:01 and 7.00:00:00, like 00:15:00 for every 15 minutes (was '{0}'). Untick the catch-up to turn it off.", text.Trim()].Value
            : null;
    }

    private static TimeSpan? ParseInterval(string? text) =>
        TimeSpan.TryParse(text?.Trim(), CultureInfo.InvariantCulture, out var interval) ? interval : null;

    /// <summary>The catch-up settings the tenant's configuration alone gives (the host's defaults, then <c>OrchardCore:OrchardShopify:CatchUp</c>).</summary>
    private ShopifyCatchUpOptions ConfiguredCatchUp()
    {
        var options = new ShopifyCatchUpOptions();
        _shellConfiguration.GetSection(ShopifySyncConstants.ConfigurationSection).GetSection("CatchUp").Bind(options);
        return options;
    }

    /// <summary>The options the tenant's configuration alone gives (the engine's defaults, then <c>OrchardCore:OrchardShopify</c>).</summary>
    private ShopifySyncOptions ConfiguredOptions()
    {
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

        return options;
    }

    /// <summary>The page's fields whose value comes from configuration: set there, and not saved on the site.</summary>
    private Dictionary<string, string> ConfigurationKeys(ShopifySyncSettings saved)
    {
        var section = _shellConfiguration.GetSection(ShopifySyncConstants.ConfigurationSection);
        var keys = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        void Add(string field, object? savedValue)
        {
            if (savedValue is null && section.GetSection(field).Value is not null)
            {
                keys[field] = ConfigurationRoot + field;
            }
        }

        Add(nameof(ShopifySyncOptions.Enabled), saved.Enabled);
        Add(nameof(ShopifySyncOptions.InboundEnabled), saved.InboundEnabled);
        Add(nameof(ShopifySyncOptions.CreateUsersFromShopify), saved.CreateUsersFromShopify);
        Add(nameof(ShopifySyncOptions.UpdateUsersInShopify), saved.UpdateUsersInShopify);
        Add(nameof(ShopifySyncOptions.UpdateShopifyUserJob), saved.UpdateShopifyUserJob);
        Add(nameof(ShopifySyncOptions.MultiStore), saved.MultiStore);
        Add(nameof(ShopifySyncOptions.MatchStrategy), saved.MatchStrategy);
        Add(nameof(ShopifySyncOptions.RefreshLinkedUserProfile), saved.RefreshLinkedUserProfile);
        Add(nameof(ShopifySyncOptions.RefreshEmailFromShopify), saved.RefreshEmailFromShopify);
        Add(nameof(ShopifySyncOptions.DefaultRegion), saved.DefaultRegion);
        Add(nameof(ShopifySyncOptions.DefaultCountryCallingCode), saved.DefaultCountryCallingCode);
        Add(nameof(ShopifySyncOptions.ApiVersion), saved.ApiVersion);
        Add(nameof(ShopifySyncOptions.WebhookSecret), saved.WebhookSecret);
        Add("CatchUp:Enabled", saved.CatchUpEnabled);
        Add("CatchUp:Interval", saved.CatchUpInterval);
        foreach (var configuredStore in section.GetSection(nameof(ShopifySyncOptions.Stores)).GetChildren())
        {
            var store = FindStore(saved, configuredStore.Key);
            var prefix = $"{nameof(ShopifySyncOptions.Stores)}:{configuredStore.Key}:";
            Add(prefix + nameof(StoreOptions.ShopDomain), store?.ShopDomain);
            Add(prefix + nameof(StoreOptions.Enabled), store?.Enabled);
            Add(prefix + nameof(StoreOptions.ApiVersion), store?.ApiVersion);
            Add(prefix + nameof(StoreOptions.AccessToken), store?.AccessToken);
            Add(prefix + nameof(StoreOptions.WebhookSecret), store?.WebhookSecret);
        }

        return keys;
    }

    /// <summary>
    /// A message of the engine's validation as this site names things: a key the page has a field for becomes the
    /// field's label, any other <c>Shopify:…</c> key the tenant configuration key <c>OrchardCore:OrchardShopify:…</c>.
    /// </summary>
    internal string ForThisSite(string message) =>
        EngineKey().Replace(message, match => Label(match.Groups["path"].Value) is { } label ? $"'{label.Value}'" : ConfigurationRoot + match.Groups["path"].Value);

    private LocalizedString? Label(string path)
    {
        var parts = path.Split(':');
        return parts switch
        {
            [var field] => field switch
            {
                nameof(ShopifySyncOptions.Enabled) => S["Enabled"],
                nameof(ShopifySyncOptions.InboundEnabled) => S["Apply Shopify changes to users"],
                nameof(ShopifySyncOptions.CreateUsersFromShopify) => S["Create users from Shopify"],
                nameof(ShopifySyncOptions.UpdateUsersInShopify) => S["Update users in Shopify"],
                nameof(ShopifySyncOptions.MultiStore) => S["Several stores"],
                nameof(ShopifySyncOptions.RefreshLinkedUserProfile) => S["Refresh names and phone of linked users from Shopify"],
                nameof(ShopifySyncOptions.RefreshEmailFromShopify) => S["Also refresh the email from Shopify"],
                nameof(ShopifySyncOptions.MatchStrategy) => S["Match customers to users by"],
                nameof(ShopifySyncOptions.DefaultRegion) => S["Default phone region"],
                nameof(ShopifySyncOptions.DefaultCountryCallingCode) => S["Default country calling code"],
                nameof(ShopifySyncOptions.ApiVersion) => S["Admin API version"],
                nameof(ShopifySyncOptions.UpdateShopifyUserJob) => S["User update job"],
                nameof(ShopifySyncOptions.WebhookSecret) => S["Webhook secret for every store"],
                nameof(ShopifySyncOptions.Stores) => S["Stores"],
                _ => null,
            },
            [nameof(ShopifySyncOptions.Stores), var handle] => S["Store {0}", handle],
            [nameof(ShopifySyncOptions.Stores), var handle, var field] => field switch
            {
                nameof(StoreOptions.ShopDomain) => S["Store {0} › Shop domain", handle],
                nameof(StoreOptions.ApiVersion) => S["Store {0} › Admin API version", handle],
                nameof(StoreOptions.AccessToken) => S["Store {0} › Admin API access token", handle],
                nameof(StoreOptions.WebhookSecret) => S["Store {0} › Webhook secret", handle],
                nameof(StoreOptions.Enabled) => S["Store {0} › Enabled", handle],
                _ => null,
            },
            _ => null,
        };
    }

    private static ShopifyStoreSettings? FindStore(ShopifySyncSettings settings, string handle) =>
        settings.Stores.FirstOrDefault(s => string.Equals(s.Handle, handle, StringComparison.OrdinalIgnoreCase));

    private static bool? Differing(bool posted, bool configured) => posted == configured ? null : posted;

    private static string? Differing(string? posted, string? configured) =>
        posted is null || string.Equals(posted, configured?.Trim(), StringComparison.Ordinal) ? null : posted;

    /// <summary>A configuration key as the engine's validation writes it: <c>Shopify:Stores:uk:ShopDomain</c>.</summary>
    [GeneratedRegex(@"(?<![\w:])Shopify:(?<path>[\w\-{}]+(?::[\w\-{}]+)*)")]
    private static partial Regex EngineKey();

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
        to.DefaultRegion = from.DefaultRegion;
        to.DefaultCountryCallingCode = from.DefaultCountryCallingCode;
        to.ApiVersion = from.ApiVersion;
        to.WebhookSecret = from.WebhookSecret;
        to.CatchUpEnabled = from.CatchUpEnabled;
        to.CatchUpInterval = from.CatchUpInterval;
        to.Stores = from.Stores;
    }

    private async Task<bool> IsAuthorizedAsync()
    {
        var user = _httpContextAccessor.HttpContext?.User;
        return user is not null && await _authorizationService.AuthorizeAsync(user, ShopifySyncPermissions.ManageShopifySync);
    }

    private static string? Trim(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
