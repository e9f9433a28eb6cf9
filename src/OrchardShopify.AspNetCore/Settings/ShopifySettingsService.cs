using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.Phones;

namespace OrchardShopify.AspNetCore.Settings;

/// <summary>
/// Reads and saves the settings an administrator edits on the site. A save is validated with
/// <see cref="ShopifySyncOptionsValidator"/> on the settings that would result, and applies without a restart;
/// secrets are write-only and stored protected with ASP.NET Core Data Protection.
/// </summary>
/// <remarks>
/// Keys are those of configuration below <c>Shopify:</c>: <c>Enabled</c>, <c>InboundEnabled</c>,
/// <c>CreateUsersFromShopify</c>, <c>UpdateUsersInShopify</c>, <c>RefreshLinkedUserProfile</c>,
/// <c>RefreshEmailFromShopify</c>, <c>MatchStrategy</c>, <c>NameSplitRule</c>, <c>DefaultRegion</c>, <c>DefaultCountryCallingCode</c>,
/// <c>ApiVersion</c>, <c>WebhookSecret</c>, and <c>Stores:{handle}:{ShopDomain|ApiVersion|ApiBaseUrl|Enabled|AccessToken|WebhookSecret|PreviousWebhookSecret}</c>.
/// </remarks>
public sealed partial class ShopifySettingsService
{
    private const string Root = ShopifySyncOptions.SectionName;

    private static readonly Dictionary<string, string> TopLevel = new(StringComparer.Ordinal)
    {
        ["enabled"] = SettingKeys.Enabled,
        ["inboundEnabled"] = SettingKeys.InboundEnabled,
        ["createUsersFromShopify"] = SettingKeys.CreateUsersFromShopify,
        ["updateUsersInShopify"] = SettingKeys.UpdateUsersInShopify,
        ["refreshLinkedUserProfile"] = SettingKeys.RefreshLinkedUserProfile,
        ["refreshEmailFromShopify"] = SettingKeys.RefreshEmailFromShopify,
        ["matchStrategy"] = SettingKeys.MatchStrategy,
        ["nameSplitRule"] = SettingKeys.NameSplitRule,
        ["defaultRegion"] = SettingKeys.DefaultRegion,
        ["defaultCountryCallingCode"] = SettingKeys.DefaultCountryCallingCode,
        ["apiVersion"] = SettingKeys.ApiVersion,
        ["webhookSecret"] = SettingKeys.WebhookSecret,
    };

    private static readonly Dictionary<string, string> StoreLevel = new(StringComparer.Ordinal)
    {
        ["shopDomain"] = SettingKeys.StoreShopDomain,
        ["apiVersion"] = SettingKeys.StoreApiVersion,
        ["apiBaseUrl"] = SettingKeys.StoreApiBaseUrl,
        ["enabled"] = SettingKeys.StoreEnabled,
        ["accessToken"] = SettingKeys.StoreAccessToken,
        ["webhookSecret"] = SettingKeys.StoreWebhookSecret,
        ["previousWebhookSecret"] = SettingKeys.StorePreviousWebhookSecret,
    };

    private readonly ShopifySettingsStore _store;
    private readonly IOptionsMonitor<ShopifySyncOptions> _options;
    private readonly IEnumerable<IConfigureOptions<ShopifySyncOptions>> _configure;
    private readonly IEnumerable<IPostConfigureOptions<ShopifySyncOptions>> _postConfigure;

    internal ShopifySettingsService(
        ShopifySettingsStore store,
        IOptionsMonitor<ShopifySyncOptions> options,
        IEnumerable<IConfigureOptions<ShopifySyncOptions>> configure,
        IEnumerable<IPostConfigureOptions<ShopifySyncOptions>> postConfigure)
    {
        _store = store;
        _options = options;
        _configure = configure;
        _postConfigure = postConfigure;
    }

    /// <summary>The settings in force, secrets as "set" / "not set".</summary>
    public ShopifySettingsView Get()
    {
        var options = _options.CurrentValue;
        var saved = _store.Current;
        return new ShopifySettingsView(
            options.Enabled,
            options.InboundEnabled,
            options.CreateUsersFromShopify,
            options.UpdateUsersInShopify,
            options.RefreshLinkedUserProfile,
            options.RefreshEmailFromShopify,
            options.MatchStrategy,
            options.NameSplitRule,
            options.DefaultCountryCallingCode,
            options.ApiVersion,
            SecretState.Of(options.WebhookSecret),
            options.MultiStore,
            options.Stores
                .Where(pair => pair.Value is not null)
                .OrderBy(pair => pair.Key, StringComparer.OrdinalIgnoreCase)
                .ToDictionary(
                    pair => pair.Key,
                    pair => new StoreSettingsView(
                        pair.Value.ShopDomain,
                        pair.Value.ApiVersion,
                        pair.Value.ApiBaseUrl?.AbsoluteUri,
                        pair.Value.Enabled,
                        SecretState.Of(pair.Value.AccessToken),
                        SecretState.Of(pair.Value.WebhookSecret),
                        SecretState.Of(pair.Value.PreviousWebhookSecret)),
                    StringComparer.OrdinalIgnoreCase),
            [.. saved.Values.Keys.Order(StringComparer.OrdinalIgnoreCase)],
            [.. saved.UnreadableSecrets.Order(StringComparer.OrdinalIgnoreCase)])
        {
            DefaultRegion = string.IsNullOrWhiteSpace(options.DefaultRegion) ? null : options.DefaultRegion.Trim().ToUpperInvariant(),
            PhoneRegion = PhoneNormalizer.DefaultRegionOf(options),
        };
    }

    /// <summary>
    /// Saves <paramref name="changes"/> (key → value; null removes the site's value, so configuration applies again)
    /// when the settings that result are valid, and applies them at once.
    /// </summary>
    /// <exception cref="ShopifySettingsValidationException">Nothing was saved; every key at fault is named.</exception>
    public Task<ShopifySettingsView> SaveAsync(IReadOnlyDictionary<string, string?> changes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changes);
        return SaveAsync(changes, [], cancellationToken);
    }

    /// <summary>
    /// Saves a JSON object shaped like <see cref="ShopifySettingsView"/>: a property that is absent is kept, <c>null</c>
    /// removes the site's value (configuration applies again), a value is saved; <c>"stores": { "uk": null }</c> removes
    /// a store's saved values.
    /// </summary>
    /// <exception cref="ShopifySettingsValidationException">Nothing was saved; every key at fault is named.</exception>
    public Task<ShopifySettingsView> SaveAsync(JsonElement body, CancellationToken cancellationToken)
    {
        var errors = new List<SettingError>();
        var changes = ChangesFromJson(body, errors);
        return SaveAsync(changes, errors, cancellationToken);
    }

    private async Task<ShopifySettingsView> SaveAsync(IReadOnlyDictionary<string, string?> changes, List<SettingError> errors, CancellationToken cancellationToken)
    {
        // A store's handle is matched ignoring case everywhere (webhooks, options, users' links): a value for "UK" is
        // saved under the spelling of the store "uk" that configuration or an earlier save already has, so a later save
        // or removal under either spelling finds it.
        var handles = KnownHandles();
        var normalized = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (rawKey, rawValue) in changes)
        {
            if (Normalize(rawKey, rawValue, errors) is { } key)
            {
                var canonical = SettingKeys.TryParseStore(key.Key, out var handle, out var field) && handles.TryGetValue(handle, out var known)
                    ? SettingKeys.Store(known, field)
                    : key.Key;
                normalized[canonical] = key.Value;
            }
        }

        if (errors.Count == 0)
        {
            var proposed = new Dictionary<string, string>(_store.Current.Values, StringComparer.OrdinalIgnoreCase);
            foreach (var (key, value) in normalized)
            {
                if (value is null)
                {
                    proposed.Remove(key);
                }
                else
                {
                    proposed[key] = value;
                }
            }

            var options = BaseOptions();
            ShopifySettingsOverlay.Apply(options, proposed);
            errors.AddRange(ShopifySyncOptionsValidator.Validate(options).Select(message => new SettingError(KeyOf(message), message)));
        }

        if (errors.Count > 0)
        {
            throw new ShopifySettingsValidationException(errors);
        }

        await _store.SaveAsync(normalized, cancellationToken);
        return Get();
    }

    /// <summary>Removes every value saved on the site for the store; a store that is also in configuration stays as configured there.</summary>
    public Task<ShopifySettingsView> RemoveStoreAsync(string handle, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handle);
        if (!SettingKeys.IsValidHandle(handle))
        {
            throw new ShopifySettingsValidationException([new SettingError($"{Root}:Stores:{handle}", $"'{handle}' is not a store handle: letters, digits, '-' and '_', at most 50.")]);
        }

        var changes = SettingKeys.StoreFields.ToDictionary(field => SettingKeys.Store(handle, field), _ => (string?)null);
        return SaveAsync(changes, cancellationToken);
    }

    /// <summary>Checks a key and the shape of its value; returns the canonical key and value, or null with an error added.</summary>
    private static KeyValuePair<string, string?>? Normalize(string key, string? value, List<SettingError> errors)
    {
        if (key.StartsWith(Root + ":", StringComparison.OrdinalIgnoreCase))
        {
            key = key[(Root.Length + 1)..];
        }

        string canonical;
        string field;
        if (SettingKeys.TryParseStore(key, out var handle, out var storeField))
        {
            field = StoreLevel.Values.FirstOrDefault(f => string.Equals(f, storeField, StringComparison.OrdinalIgnoreCase)) ?? "";
            canonical = SettingKeys.Store(handle, field);
            if (field.Length == 0)
            {
                errors.Add(new SettingError($"{Root}:{key}", $"{Root}:{key} cannot be changed here; a store's settings are {string.Join(", ", SettingKeys.StoreFields)}."));
                return null;
            }
        }
        else
        {
            field = TopLevel.Values.FirstOrDefault(f => string.Equals(f, key, StringComparison.OrdinalIgnoreCase)) ?? "";
            canonical = field;
            if (field.Length == 0)
            {
                errors.Add(new SettingError($"{Root}:{key}", $"{Root}:{key} cannot be changed here; settable: {string.Join(", ", TopLevel.Values)} and Stores:{{handle}}:{{{string.Join("|", SettingKeys.StoreFields)}}}."));
                return null;
            }
        }

        var full = $"{Root}:{canonical}";
        if (value is null)
        {
            return new(canonical, null);
        }

        value = value.Trim();
        var isBoolean = handle.Length == 0 ? SettingKeys.Booleans.Contains(canonical) : field == SettingKeys.StoreEnabled;
        if (isBoolean)
        {
            if (!bool.TryParse(value, out var parsed))
            {
                errors.Add(new SettingError(full, $"{full} must be true or false (was '{value}')."));
                return null;
            }

            return new(canonical, parsed ? "true" : "false");
        }

        if (SettingKeys.IsSecret(canonical))
        {
            // An empty secret means "no value saved on the site".
            return new(canonical, value.Length == 0 ? null : value);
        }

        switch (canonical)
        {
            case SettingKeys.MatchStrategy when !Enum.TryParse<UserMatchStrategy>(value, ignoreCase: true, out _) || int.TryParse(value, out _):
                errors.Add(new SettingError(full, $"{full} must be one of {string.Join(", ", Enum.GetNames<UserMatchStrategy>())} (was '{value}')."));
                return null;
            case SettingKeys.NameSplitRule when !Enum.TryParse<NameSplitRule>(value, ignoreCase: true, out _) || int.TryParse(value, out _):
                errors.Add(new SettingError(full, $"{full} must be one of {string.Join(", ", Enum.GetNames<NameSplitRule>())} (was '{value}')."));
                return null;
        }

        if (field == SettingKeys.StoreApiBaseUrl && handle.Length > 0 && value.Length > 0
            && (!Uri.TryCreate(value, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp)))
        {
            errors.Add(new SettingError(full, $"{full} must be an absolute http(s) URL (was '{value}')."));
            return null;
        }

        return new(canonical, value.Length == 0 ? null : value);
    }

    /// <summary>Each store's handle as configuration spells it, else as the site's saved values do, looked up ignoring case.</summary>
    private Dictionary<string, string> KnownHandles()
    {
        var handles = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var handle in BaseOptions().Stores.Keys)
        {
            handles.TryAdd(handle, handle);
        }

        foreach (var key in _store.Current.Values.Keys)
        {
            if (SettingKeys.TryParseStore(key, out var handle, out _))
            {
                handles.TryAdd(handle, handle);
            }
        }

        return handles;
    }

    /// <summary>The options as configuration and code make them, without the site's saved values.</summary>
    private ShopifySyncOptions BaseOptions()
    {
        var options = new ShopifySyncOptions();
        foreach (var configure in _configure)
        {
            if (configure is IConfigureNamedOptions<ShopifySyncOptions> named)
            {
                named.Configure(Options.DefaultName, options);
            }
            else
            {
                configure.Configure(options);
            }
        }

        foreach (var postConfigure in _postConfigure)
        {
            if (postConfigure is not ShopifySettingsOverlay)
            {
                postConfigure.PostConfigure(Options.DefaultName, options);
            }
        }

        return options;
    }

    private static string KeyOf(string message)
    {
        var match = MessageKeyPattern().Match(message);
        return match.Success ? match.Value : Root;
    }

    private static string Pascal(string name) => name.Length == 0 ? name : char.ToUpperInvariant(name[0]) + name[1..];

    [GeneratedRegex(@"^Shopify(:[A-Za-z0-9_\-]+)*")]
    private static partial Regex MessageKeyPattern();
}
