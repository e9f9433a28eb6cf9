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

        if (ReconciliationIntervalProblem(model.ScheduledReconciliationInterval) is { } reconciliationProblem)
        {
            context.Updater.ModelState.AddModelError(Prefix + "." + nameof(model.ScheduledReconciliationInterval), reconciliationProblem);
        }

        if (DriftProblem(model.HealthMaxReconciliationDrift) is { } driftProblem)
        {
            context.Updater.ModelState.AddModelError(Prefix + "." + nameof(model.HealthMaxReconciliationDrift), driftProblem);
        }

        foreach (var (key, problem) in StoreRowProblems(model))
        {
            context.Updater.ModelState.AddModelError(Prefix + "." + key, problem);
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
        var reconciliation = ConfiguredReconciliation();
        ShopifyCatchUpSettingsConfiguration.ApplyReconciliation(saved, reconciliation);
        model.ScheduledReconciliationEnabled = reconciliation.ScheduledReconciliation.Enabled;
        model.ScheduledReconciliationInterval = reconciliation.ScheduledReconciliation.Interval.ToString("c", CultureInfo.InvariantCulture);
        model.HealthMaxReconciliationDrift = reconciliation.HealthMaxReconciliationDrift?.ToString(CultureInfo.InvariantCulture);
        model.AutoRegisterWebhooks = reconciliation.AutoRegisterWebhooks;
        model.Stores = effective.Stores.OrderBy(pair => pair.Key, StringComparer.OrdinalIgnoreCase).Select(pair => new ShopifyStoreViewModel
        {
            Handle = pair.Key,
            OriginalHandle = pair.Key,
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
        var configuredReconciliation = ConfiguredReconciliation();
        var reconciliationInterval = ParseInterval(model.ScheduledReconciliationInterval);
        var drift = ParseDrift(model.HealthMaxReconciliationDrift);
        var result = new ShopifySyncSettings
        {
            CatchUpEnabled = Differing(model.CatchUpEnabled, configuredCatchUp.Enabled),
            CatchUpInterval = interval is null || interval == configuredCatchUp.Interval ? null : interval,
            ScheduledReconciliationEnabled = Differing(model.ScheduledReconciliationEnabled, configuredReconciliation.ScheduledReconciliation.Enabled),
            ScheduledReconciliationInterval = reconciliationInterval is null || reconciliationInterval == configuredReconciliation.ScheduledReconciliation.Interval ? null : reconciliationInterval,
            HealthMaxReconciliationDrift = drift is null || drift == configuredReconciliation.HealthMaxReconciliationDrift ? null : drift,
            AutoRegisterWebhooks = Differing(model.AutoRegisterWebhooks, configuredReconciliation.AutoRegisterWebhooks),
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
                // A store without a secret of its own was verified with the one for every store (saved here, or else configured).
                store.PreviousWebhookSecret = existing?.WebhookSecret ?? _protector.Protect(configuredStore?.WebhookSecret)
                    ?? stored.WebhookSecret ?? _protector.Protect(configured.WebhookSecret) ?? store.PreviousWebhookSecret;
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

    /// <summary>
    /// Why the scheduled reconciliation interval typed on the page cannot be used, or null when it can (blank keeps the
    /// configured one). The range is the host's (<c>ScheduledReconciliation:Interval</c>).
    /// </summary>
    internal string? ReconciliationIntervalProblem(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var interval = ParseInterval(text);
        return interval is null || interval < TimeSpan.FromSeconds(1) || interval > TimeSpan.FromDays(31)
            ? S["Reconciliation interval must be a time between 00:00:01 and 31.00:00:00, like 1.00:00:00 for every day (was '{0}'). Untick the scheduled reconciliation to turn it off.", text.Trim()].Value
            : null;
    }

    /// <summary>
    /// Store rows that cannot be saved as posted, each with the field it concerns: a row with values but no handle (it
    /// would be dropped, typed secrets and all), and a shown store whose handle was changed (its secrets are saved under the
    /// old one, and users' links are kept under it).
    /// </summary>
    internal IEnumerable<(string Key, string Problem)> StoreRowProblems(ShopifySyncSettingsViewModel model)
    {
        for (var i = 0; i < model.Stores.Count; i++)
        {
            var row = model.Stores[i];
            if (row.Remove)
            {
                continue;
            }

            var handle = Trim(row.Handle);
            var original = Trim(row.OriginalHandle);
            if (original is not null && !string.Equals(handle, original, StringComparison.OrdinalIgnoreCase))
            {
                yield return ($"Stores[{i}].Handle", S["The handle of store '{0}' cannot be changed: users' links to its customers are kept under it. Add a store with the new handle and remove this one.", original].Value);
            }
            else if (handle is null && (Trim(row.ShopDomain) ?? Trim(row.ApiVersion) ?? Trim(row.AccessToken) ?? Trim(row.WebhookSecret)) is not null)
            {
                yield return ($"Stores[{i}].Handle", S["A store needs a handle (like uk or us): the new store was not saved. Type its access token and webhook secret again with the handle."].Value);
            }
        }
    }

    /// <summary>Why the drift threshold typed on the page cannot be used, or null when it can (blank keeps the configured one).</summary>
    internal string? DriftProblem(string? text) =>
        string.IsNullOrWhiteSpace(text) || ParseDrift(text) is not null
            ? null
            : S["Most mismatches must be a whole number, 0 or more (was '{0}').", text.Trim()].Value;

    private static int? ParseDrift(string? text) =>
        int.TryParse(text?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var drift) ? drift : null;

    /// <summary>A time like 00:15:00 or 1.00:00:00; a bare number (which TimeSpan reads as days: "5" is five days) is refused.</summary>
    private static TimeSpan? ParseInterval(string? text) =>
        text is not null && text.Contains(':', StringComparison.Ordinal) && TimeSpan.TryParse(text.Trim(), CultureInfo.InvariantCulture, out var interval) ? interval : null;

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
        to.ScheduledReconciliationEnabled = from.ScheduledReconciliationEnabled;
        to.ScheduledReconciliationInterval = from.ScheduledReconciliationInterval;
        to.HealthMaxReconciliationDrift = from.HealthMaxReconciliationDrift;
        to.AutoRegisterWebhooks = from.AutoRegisterWebhooks;
        to.Stores = from.Stores;
    }

    private async Task<bool> IsAuthorizedAsync()
    {
        var user = _httpContextAccessor.HttpContext?.User;
        return user is not null && await _authorizationService.AuthorizeAsync(user, ShopifySyncPermissions.ManageShopifySync);
    }

    private static string? Trim(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
