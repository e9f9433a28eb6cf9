using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace OrchardShopify.Core.Configuration;

/// <summary>Validates <see cref="ShopifySyncOptions"/>; every message names the configuration key at fault.</summary>
public sealed partial class ShopifySyncOptionsValidator : IValidateOptions<ShopifySyncOptions>
{
    public ValidateOptionsResult Validate(string? name, ShopifySyncOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = Validate(options);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    public static IReadOnlyList<string> Validate(ShopifySyncOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string root = ShopifySyncOptions.SectionName;
        var errors = new List<string>();

        if (!ApiVersionPattern().IsMatch(options.ApiVersion ?? ""))
        {
            errors.Add($"{root}:ApiVersion '{options.ApiVersion}' is not a Shopify API version (YYYY-MM, e.g. {ShopifyApiVersions.Default}).");
        }

        if (options.MaxWebhookBodyBytes is < 1024 or > 64 * 1024 * 1024)
        {
            errors.Add($"{root}:MaxWebhookBodyBytes must be between 1024 and 67108864 (was {options.MaxWebhookBodyBytes}).");
        }

        if (!CallingCodePattern().IsMatch(options.DefaultCountryCallingCode ?? ""))
        {
            errors.Add($"{root}:DefaultCountryCallingCode must be 1 to 3 digits without '+' (was '{options.DefaultCountryCallingCode}').");
        }
        else if (string.IsNullOrWhiteSpace(options.DefaultRegion) && Phones.PhoneNormalizer.MainRegionOfCallingCode(options.DefaultCountryCallingCode) is null)
        {
            errors.Add($"{root}:DefaultCountryCallingCode '{options.DefaultCountryCallingCode}' is not the calling code of any region; set {root}:DefaultRegion instead (e.g. GB, US).");
        }

        if (!string.IsNullOrWhiteSpace(options.DefaultRegion) && !Phones.PhoneNormalizer.IsKnownRegion(options.DefaultRegion))
        {
            errors.Add($"{root}:DefaultRegion '{options.DefaultRegion}' is not a region code libphonenumber knows (two letters, ISO 3166-1, e.g. GB, US, IT).");
        }

        if (!string.IsNullOrWhiteSpace(options.UpdateShopifyUserJob)
            && !Sync.UserUpdateJobType.TryResolve(options.UpdateShopifyUserJob, out _, out var jobError))
        {
            errors.Add(jobError!);
        }

        if (options.Stores.Count == 0)
        {
            errors.Add($"{root}:Stores is empty; configure at least one store (Shopify:Stores:{{handle}}:ShopDomain).");
        }

        if (!options.MultiStore && options.Stores.Count > 1)
        {
            errors.Add($"{root}:MultiStore is false but {root}:Stores has {options.Stores.Count} stores ({string.Join(", ", options.Stores.Keys)}); set {root}:MultiStore to true or keep one store.");
        }

        ValidateTagRoles(options, errors);

        var domains = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (handle, store) in options.Stores)
        {
            var key = $"{root}:Stores:{handle}";
            if (!HandlePattern().IsMatch(handle))
            {
                errors.Add($"{key}: the store handle must be 1-50 letters, digits, '-' or '_'.");
            }

            if (store is null)
            {
                errors.Add($"{key} has no settings.");
                continue;
            }

            if (string.IsNullOrWhiteSpace(store.ShopDomain))
            {
                errors.Add($"{key}:ShopDomain is required (e.g. {handle}-store.myshopify.com).");
            }
            else if (!ShopDomainPattern().IsMatch(store.ShopDomain.Trim()))
            {
                errors.Add($"{key}:ShopDomain '{store.ShopDomain}' is not a host name such as name.myshopify.com (no scheme, no path).");
            }
            else if (!domains.TryAdd(store.ShopDomain.Trim(), handle))
            {
                errors.Add($"{key}:ShopDomain '{store.ShopDomain}' is already used by store '{domains[store.ShopDomain.Trim()]}'.");
            }

            if (store.Enabled && string.IsNullOrEmpty(store.WebhookSecret) && string.IsNullOrEmpty(options.WebhookSecret))
            {
                errors.Add($"{key}:WebhookSecret is required (or set {root}:WebhookSecret for all stores): webhooks cannot be verified without it.");
            }

            if (store.ApiVersion is not null && !ApiVersionPattern().IsMatch(store.ApiVersion))
            {
                errors.Add($"{key}:ApiVersion '{store.ApiVersion}' is not a Shopify API version (YYYY-MM).");
            }

            if (store.ApiBaseUrl is not null && (!store.ApiBaseUrl.IsAbsoluteUri || (store.ApiBaseUrl.Scheme != Uri.UriSchemeHttps && store.ApiBaseUrl.Scheme != Uri.UriSchemeHttp)))
            {
                errors.Add($"{key}:ApiBaseUrl must be an absolute http(s) URL.");
            }

            if (options.UpdateUsersInShopify && store.Enabled && string.IsNullOrEmpty(store.AccessToken))
            {
                errors.Add($"{key}:AccessToken is required when {root}:UpdateUsersInShopify is true.");
            }
        }

        return errors;
    }

    private static void ValidateTagRoles(ShopifySyncOptions options, List<string> errors)
    {
        const string root = ShopifySyncOptions.SectionName;
        var excluded = options.ExcludedRoles.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        for (var i = 0; i < options.TagRoles.Count; i++)
        {
            var key = $"{root}:TagRoles:{i}";
            if (options.TagRoles[i] is not { } entry)
            {
                errors.Add($"{key} has no settings; give it a Tag and a Role.");
                continue;
            }

            if (string.IsNullOrWhiteSpace(entry.Tag))
            {
                errors.Add($"{key}:Tag is empty; name the Shopify customer tag that grants the role '{entry.Role}'.");
            }
            else if (entry.Tag.Contains(',', StringComparison.Ordinal) || entry.Tag.Trim().Length > 255)
            {
                errors.Add($"{key}:Tag '{entry.Tag}' is not one Shopify tag (at most 255 characters, no comma).");
            }

            if (string.IsNullOrWhiteSpace(entry.Role))
            {
                errors.Add($"{key}:Role is empty; name the site role the tag '{entry.Tag}' grants.");
            }
            else if (excluded.Contains(entry.Role.Trim(), StringComparer.OrdinalIgnoreCase))
            {
                errors.Add($"{key}:Role '{entry.Role}' is one of {root}:ExcludedRoles; a Shopify tag never grants a role the sync leaves alone.");
            }

            if (!string.IsNullOrWhiteSpace(entry.Store) && !options.Stores.ContainsKey(entry.Store.Trim()))
            {
                errors.Add($"{key}:Store '{entry.Store}' is not a configured store ({string.Join(", ", options.Stores.Keys)}); leave it empty for any store.");
            }
        }
    }

    [GeneratedRegex(@"^\d{4}-(01|04|07|10)$|^unstable$")]
    private static partial Regex ApiVersionPattern();

    [GeneratedRegex(@"^[1-9]\d{0,2}$")]
    private static partial Regex CallingCodePattern();

    [GeneratedRegex(@"^[A-Za-z0-9_-]{1,50}$")]
    private static partial Regex HandlePattern();

    [GeneratedRegex(@"^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$|^localhost$")]
    private static partial Regex ShopDomainPattern();
}
