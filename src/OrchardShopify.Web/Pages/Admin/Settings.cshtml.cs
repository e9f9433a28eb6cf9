using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OrchardShopify.AspNetCore.Admin;
using OrchardShopify.AspNetCore.Settings;
using OrchardShopify.AspNetCore.Stores;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Web.Hosting;

namespace OrchardShopify.Web.Pages.Admin;

/// <summary>
/// Edits the sync settings through the module's settings service: saved on the site over configuration, validated,
/// applied without a restart. Secrets are write-only: an empty field keeps the current value.
/// </summary>
public sealed class SettingsModel(ShopifySettingsService settings, StoreConnectionService connections, Microsoft.Extensions.Options.IOptions<SiteOptions> site) : PageModel
{
    public ShopifySettingsView View { get; private set; } = null!;

    public IReadOnlyList<SettingError> Errors { get; private set; } = [];

    [BindProperty]
    public SyncForm Sync { get; set; } = new();

    [BindProperty]
    public StoreForm Store { get; set; } = new();

    public bool IsSavedOnSite(string key) => View.SavedOnSite.Contains(key, StringComparer.OrdinalIgnoreCase);

    public void OnGet()
    {
        View = settings.Get();
        Sync = SyncForm.From(View);
    }

    public async Task<IActionResult> OnPostSyncAsync(CancellationToken cancellationToken)
    {
        var changes = new Dictionary<string, string?>
        {
            ["Enabled"] = Bool(Sync.Enabled),
            ["InboundEnabled"] = Bool(Sync.InboundEnabled),
            ["UpdateUsersInShopify"] = Bool(Sync.UpdateUsersInShopify),
            ["CreateUsersFromShopify"] = Bool(Sync.CreateUsersFromShopify),
            ["RefreshLinkedUserProfile"] = Bool(Sync.RefreshLinkedUserProfile),
            ["RefreshEmailFromShopify"] = Bool(Sync.RefreshEmailFromShopify),
            ["MatchStrategy"] = Sync.MatchStrategy.ToString(),
            ["NameSplitRule"] = Sync.NameSplitRule.ToString(),
            ["DefaultRegion"] = Region(Sync.DefaultRegion),
            ["DefaultCountryCallingCode"] = Sync.DefaultCountryCallingCode?.Trim(),
            ["ApiVersion"] = Sync.ApiVersion?.Trim(),
        };
        // Only what was changed is saved on the site, so the rest keeps following configuration.
        var current = SyncForm.From(settings.Get());
        var before = new Dictionary<string, string?>
        {
            ["Enabled"] = Bool(current.Enabled),
            ["InboundEnabled"] = Bool(current.InboundEnabled),
            ["UpdateUsersInShopify"] = Bool(current.UpdateUsersInShopify),
            ["CreateUsersFromShopify"] = Bool(current.CreateUsersFromShopify),
            ["RefreshLinkedUserProfile"] = Bool(current.RefreshLinkedUserProfile),
            ["RefreshEmailFromShopify"] = Bool(current.RefreshEmailFromShopify),
            ["MatchStrategy"] = current.MatchStrategy.ToString(),
            ["NameSplitRule"] = current.NameSplitRule.ToString(),
            ["DefaultRegion"] = Region(current.DefaultRegion),
            ["DefaultCountryCallingCode"] = current.DefaultCountryCallingCode,
            ["ApiVersion"] = current.ApiVersion,
        };
        foreach (var (key, value) in before)
        {
            if (changes[key] == value)
            {
                changes.Remove(key);
            }
        }

        Secret(changes, "WebhookSecret", Sync.WebhookSecret, Sync.ClearWebhookSecret);
        return await SaveAsync(changes, "Settings saved; they apply now.", cancellationToken);
    }

    public async Task<IActionResult> OnPostStoreAsync(CancellationToken cancellationToken)
    {
        var handle = Store.Handle?.Trim() ?? "";
        string Key(string field) => $"Stores:{handle}:{field}";
        var changes = new Dictionary<string, string?>
        {
            [Key("ShopDomain")] = Store.ShopDomain?.Trim(),
            [Key("ApiVersion")] = string.IsNullOrWhiteSpace(Store.ApiVersion) ? null : Store.ApiVersion.Trim(),
            [Key("Enabled")] = Bool(Store.Enabled),
        };
        if (settings.Get().Stores.TryGetValue(handle, out var current))
        {
            // As for the sync's settings: only what was changed is saved on the site, so a store's Save (to rotate its
            // token, say) does not pin its domain or Enabled to the values configuration gives today.
            var before = new Dictionary<string, string?>
            {
                [Key("ShopDomain")] = current.ShopDomain,
                [Key("ApiVersion")] = current.ApiVersion,
                [Key("Enabled")] = Bool(current.Enabled),
            };
            foreach (var (key, value) in before)
            {
                if (string.Equals(changes[key], value, StringComparison.OrdinalIgnoreCase))
                {
                    changes.Remove(key);
                }
            }
        }

        Secret(changes, Key("AccessToken"), Store.AccessToken, Store.ClearAccessToken);
        Secret(changes, Key("WebhookSecret"), Store.WebhookSecret, Store.ClearWebhookSecret);
        return await SaveAsync(changes, $"Store {handle} saved; it applies now.", cancellationToken);
    }

    public async Task<IActionResult> OnPostRemoveStoreAsync(string handle, CancellationToken cancellationToken)
        => await SaveAsync(null, $"The values saved on the site for {handle} were removed; configuration applies again.", cancellationToken, () => settings.RemoveStoreAsync(handle, cancellationToken));

    public async Task<IActionResult> OnPostTestAsync(string handle, CancellationToken cancellationToken)
    {
        try
        {
            var result = await connections.TestAsync(handle, cancellationToken);
            TempData["Message"] = result.Ok
                ? $"{result.Store}: connected to {result.ShopName} ({result.MyshopifyDomain}, {result.CurrencyCode}) with API {result.ApiVersion} in {result.ElapsedMs} ms."
                : result.HelpUrl is not null ? result.Error : $"{result.Store}: the connection failed – {result.Error}";
        }
        catch (AdminRequestException ex)
        {
            TempData["Message"] = ex.Message;
        }

        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostRegisterWebhooksAsync(string handle, CancellationToken cancellationToken)
    {
        var callbackBase = site.Value.PublicUrl ?? new Uri($"{Request.Scheme}://{Request.Host}{Request.PathBase}/");
        try
        {
            var result = await connections.RegisterWebhooksAsync(handle, callbackBase, cancellationToken);
            TempData["Message"] = $"{result.Store}: webhooks to {result.CallbackUrl} – created: {List(result.Created)}; already registered: {List(result.AlreadyRegistered)}.";
        }
        catch (AdminRequestException ex)
        {
            TempData["Message"] = ex.Message;
        }

        return RedirectToPage();
    }

    private async Task<IActionResult> SaveAsync(Dictionary<string, string?>? changes, string done, CancellationToken cancellationToken, Func<Task<ShopifySettingsView>>? save = null)
    {
        try
        {
            await (save is null ? settings.SaveAsync(changes!, cancellationToken) : save());
            TempData["Message"] = done;
            return RedirectToPage();
        }
        catch (ShopifySettingsValidationException ex)
        {
            Errors = ex.Errors;
            View = settings.Get();
            return Page();
        }
    }

    /// <summary>Write-only: an empty field keeps the value, "clear" removes the site's value.</summary>
    private static void Secret(Dictionary<string, string?> changes, string key, string? value, bool clear)
    {
        if (clear)
        {
            changes[key] = null;
        }
        else if (!string.IsNullOrWhiteSpace(value))
        {
            changes[key] = value.Trim();
        }
    }

    private static string Bool(bool value) => value ? "true" : "false";

    private static string? Region(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim().ToUpperInvariant();

    private static string List(IReadOnlyList<string> items) => items.Count == 0 ? "none" : string.Join(", ", items);

    public sealed class SyncForm
    {
        [Display(Name = "Sync")]
        public bool Enabled { get; set; }

        [Display(Name = "Shopify ⇒ site")]
        public bool InboundEnabled { get; set; }

        [Display(Name = "Site ⇒ Shopify (update users in Shopify)")]
        public bool UpdateUsersInShopify { get; set; }

        [Display(Name = "Create users from Shopify")]
        public bool CreateUsersFromShopify { get; set; }

        [Display(Name = "Refresh linked users' names and phone from Shopify")]
        public bool RefreshLinkedUserProfile { get; set; }

        [Display(Name = "Also refresh their email")]
        public bool RefreshEmailFromShopify { get; set; }

        [Display(Name = "Mapping strategy")]
        public UserMatchStrategy MatchStrategy { get; set; }

        [Display(Name = "Name split rule")]
        public NameSplitRule NameSplitRule { get; set; }

        [Display(Name = "Default phone region")]
        public string? DefaultRegion { get; set; }

        [Display(Name = "Default country calling code")]
        public string? DefaultCountryCallingCode { get; set; }

        [Display(Name = "Admin API version")]
        public string? ApiVersion { get; set; }

        [Display(Name = "Fallback webhook secret")]
        public string? WebhookSecret { get; set; }

        public bool ClearWebhookSecret { get; set; }

        public static SyncForm From(ShopifySettingsView view) => new()
        {
            Enabled = view.Enabled,
            InboundEnabled = view.InboundEnabled,
            UpdateUsersInShopify = view.UpdateUsersInShopify,
            CreateUsersFromShopify = view.CreateUsersFromShopify,
            RefreshLinkedUserProfile = view.RefreshLinkedUserProfile,
            RefreshEmailFromShopify = view.RefreshEmailFromShopify,
            MatchStrategy = view.MatchStrategy,
            NameSplitRule = view.NameSplitRule,
            DefaultRegion = view.DefaultRegion,
            DefaultCountryCallingCode = view.DefaultCountryCallingCode,
            ApiVersion = view.ApiVersion,
        };
    }

    public sealed class StoreForm
    {
        public string? Handle { get; set; }

        public string? ShopDomain { get; set; }

        public string? ApiVersion { get; set; }

        public bool Enabled { get; set; } = true;

        public string? AccessToken { get; set; }

        public bool ClearAccessToken { get; set; }

        public string? WebhookSecret { get; set; }

        public bool ClearWebhookSecret { get; set; }
    }
}
