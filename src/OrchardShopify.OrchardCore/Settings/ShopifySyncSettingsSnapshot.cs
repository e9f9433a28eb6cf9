using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using OrchardCore.Entities;
using OrchardCore.Settings;
using OrchardShopify.AspNetCore.DependencyInjection;
using OrchardShopify.Core.Configuration;

namespace OrchardShopify.OrchardCore.Settings;

/// <summary>
/// The tenant's saved settings with secrets decrypted, held in memory so the engine's options are built
/// without a database call; replacing it signals <see cref="IOptionsMonitor{ShopifySyncOptions}"/> to rebuild,
/// which applies saved settings without restarting the tenant (and <see cref="IOptionsMonitor{ShopifyHostOptions}"/>,
/// for the catch-up settings).
/// </summary>
internal sealed class ShopifySyncSettingsSnapshot : IOptionsChangeTokenSource<ShopifySyncOptions>, IOptionsChangeTokenSource<ShopifyHostOptions>, IDisposable
{
    private readonly ShopifySecretProtector _protector;
    private CancellationTokenSource _changed = new();
    private bool _loaded;
    private string _storedJson = "";

    public ShopifySyncSettingsSnapshot(ShopifySecretProtector protector)
    {
        _protector = protector;
    }

    /// <summary>The saved settings with clear secrets, or null while nothing was saved.</summary>
    public ShopifySyncSettings? Current { get; private set; }

    /// <summary>True when a secret could not be decrypted (the Data Protection keys changed); it must be entered again.</summary>
    public bool HasDecryptionError { get; private set; }

    public string? Name => Options.DefaultName;

    public IChangeToken GetChangeToken() => new CancellationChangeToken(Volatile.Read(ref _changed).Token);

    /// <summary>Reads the site settings (inside a tenant scope) and applies them.</summary>
    public async Task ReloadAsync(ISiteService siteService)
    {
        ArgumentNullException.ThrowIfNull(siteService);
        var site = await siteService.GetSiteSettingsAsync();
        var stored = site.Properties.ContainsKey(nameof(ShopifySyncSettings)) ? site.As<ShopifySyncSettings>() : null;
        var json = stored is null ? "" : JsonSerializer.Serialize(stored);
        if (_loaded && json == _storedJson)
        {
            return;
        }

        Apply(stored);
        (_loaded, _storedJson) = (true, json);
    }

    /// <summary>Replaces the settings (as stored, secrets encrypted) and signals the change.</summary>
    public void Apply(ShopifySyncSettings? stored)
    {
        var failed = false;
        Current = stored is null ? null : Decrypt(stored, ref failed);
        HasDecryptionError = failed;
        var previous = Interlocked.Exchange(ref _changed, new CancellationTokenSource());
        try
        {
            previous.Cancel();
        }
        catch (AggregateException ex) when (ex.InnerExceptions.All(e => e is OptionsValidationException))
        {
            // The options monitor rebuilds the options on the signal; while they are invalid it throws here, and
            // the readiness check reports why. The next valid save signals again.
        }
        finally
        {
            previous.Dispose();
        }
    }

    public void Dispose() => _changed.Dispose();

    private ShopifySyncSettings Decrypt(ShopifySyncSettings stored, ref bool failed)
    {
        var clear = new ShopifySyncSettings
        {
            Enabled = stored.Enabled,
            InboundEnabled = stored.InboundEnabled,
            CreateUsersFromShopify = stored.CreateUsersFromShopify,
            UpdateUsersInShopify = stored.UpdateUsersInShopify,
            UpdateShopifyUserJob = stored.UpdateShopifyUserJob,
            MultiStore = stored.MultiStore,
            MatchStrategy = stored.MatchStrategy,
            RefreshLinkedUserProfile = stored.RefreshLinkedUserProfile,
            RefreshEmailFromShopify = stored.RefreshEmailFromShopify,
            DefaultRegion = stored.DefaultRegion,
            DefaultCountryCallingCode = stored.DefaultCountryCallingCode,
            ApiVersion = stored.ApiVersion,
            CatchUpEnabled = stored.CatchUpEnabled,
            CatchUpInterval = stored.CatchUpInterval,
            ScheduledReconciliationEnabled = stored.ScheduledReconciliationEnabled,
            ScheduledReconciliationInterval = stored.ScheduledReconciliationInterval,
            HealthMaxReconciliationDrift = stored.HealthMaxReconciliationDrift,
            AutoRegisterWebhooks = stored.AutoRegisterWebhooks,
            WebhookSecret = Unprotect(stored.WebhookSecret, ref failed),
        };
        foreach (var store in stored.Stores)
        {
            clear.Stores.Add(new ShopifyStoreSettings
            {
                Handle = store.Handle,
                ShopDomain = store.ShopDomain,
                Enabled = store.Enabled,
                ApiVersion = store.ApiVersion,
                AccessToken = Unprotect(store.AccessToken, ref failed),
                WebhookSecret = Unprotect(store.WebhookSecret, ref failed),
                PreviousWebhookSecret = Unprotect(store.PreviousWebhookSecret, ref failed),
            });
        }

        return clear;
    }

    private string? Unprotect(string? value, ref bool failed)
    {
        var clear = _protector.Unprotect(value, out var thisFailed);
        failed |= thisFailed;
        return clear;
    }
}
