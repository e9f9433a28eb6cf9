using System.Diagnostics;
using OrchardShopify.AspNetCore.Admin;
using OrchardShopify.AspNetCore.DependencyInjection;
using OrchardShopify.AspNetCore.Health;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.ShopifyApi;

namespace OrchardShopify.AspNetCore.Stores;

/// <summary>What "test connection" found: the shop as Shopify reports it, or why the call failed.</summary>
/// <param name="DomainMatches">False when Shopify names another shop than the configured <c>ShopDomain</c> (a token of another store).</param>
public sealed record StoreConnectionResult(
    string Store,
    bool Ok,
    string ShopDomain,
    string ApiVersion,
    string? ShopName,
    string? MyshopifyDomain,
    string? CurrencyCode,
    bool DomainMatches,
    long ElapsedMs,
    string? Error)
{
    /// <summary>Where the merchant reads what to request, when <see cref="Error"/> is Shopify refusing protected customer data.</summary>
    public string? HelpUrl { get; init; }
}

/// <summary>What "register webhooks" did: the callback URL and the topics created now or found already subscribed.</summary>
public sealed record WebhookRegistrationResult(string Store, Uri CallbackUrl, IReadOnlyList<string> Created, IReadOnlyList<string> AlreadyRegistered);

/// <summary>Checks a store's Admin API connection and subscribes the site to its customer webhooks.</summary>
public sealed class StoreConnectionService(StoreRegistry stores, ShopifyShopClient shops, WebhookSubscriptionMonitor monitor)
{
    /// <summary>
    /// Reads the shop (the cheapest Admin API call), then one customer's name, email and phone as the sync reads them, so
    /// that a missing scope or protected customer data Shopify has not approved shows here. Failures are reported, not thrown.
    /// </summary>
    public async Task<StoreConnectionResult> TestAsync(string? storeHandle, CancellationToken cancellationToken)
    {
        var store = stores.Resolve(storeHandle);
        var clock = Stopwatch.StartNew();
        ShopifyShopInfo shop;
        try
        {
            shop = await shops.GetShopAsync(store, cancellationToken);
        }
        catch (ShopifyApiException failed)
        {
            return new StoreConnectionResult(store.Handle, false, store.ShopDomain, store.ApiVersion, null, null, null, false, clock.ElapsedMilliseconds, failed.ShopifyMessage);
        }

        var matches = string.Equals(shop.MyshopifyDomain, store.ShopDomain, StringComparison.OrdinalIgnoreCase);
        var connected = new StoreConnectionResult(
            store.Handle, matches, store.ShopDomain, store.ApiVersion, shop.Name, shop.MyshopifyDomain, shop.CurrencyCode, matches, clock.ElapsedMilliseconds,
            matches ? null : $"The access token belongs to {shop.MyshopifyDomain}, not {store.ShopDomain}.");
        if (!matches)
        {
            return connected;
        }

        try
        {
            await shops.ProbeCustomerDataAsync(store, cancellationToken);
            return connected with { ElapsedMs = clock.ElapsedMilliseconds };
        }
        catch (ShopifyApiException refused) when (ProtectedCustomerData.IsRefusal(refused))
        {
            return connected with { Ok = false, ElapsedMs = clock.ElapsedMilliseconds, Error = ProtectedCustomerData.Explain(store.Handle, refused.ShopifyMessage), HelpUrl = ProtectedCustomerData.RequestDocumentationUrl };
        }
        catch (ShopifyApiException failed)
        {
            return connected with { Ok = false, ElapsedMs = clock.ElapsedMilliseconds, Error = $"Connected, but customers cannot be read: {failed.ShopifyMessage}" };
        }
    }

    /// <summary>
    /// Subscribes <c>{callbackBase}/!/shopify/webhook</c> (routed by topic) to customers/create, update and delete.
    /// Running it again creates nothing. Shopify calls only https URLs; http is accepted for loopback hosts (a local emulator).
    /// </summary>
    /// <exception cref="AdminRequestException">Unknown store, no access token, or a callback that is not an absolute https URL.</exception>
    /// <exception cref="ShopifyRefusedException">Shopify refused the subscription (<c>shopify_error</c>, <c>protected_customer_data</c>).</exception>
    public async Task<WebhookRegistrationResult> RegisterWebhooksAsync(string? storeHandle, Uri callbackBase, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(callbackBase);
        var store = stores.Resolve(storeHandle);
        if (!callbackBase.IsAbsoluteUri || (callbackBase.Scheme != Uri.UriSchemeHttps && !(callbackBase.Scheme == Uri.UriSchemeHttp && IsLoopback(callbackBase))))
        {
            throw new AdminRequestException("invalid_callback", $"The callback base URL must be an absolute https URL that Shopify can reach (was '{callbackBase}').");
        }

        if (!store.CanCallAdminApi)
        {
            throw new AdminRequestException("no_access_token", $"Store '{store.Handle}' has no access token; set Shopify:Stores:{store.Handle}:AccessToken first.");
        }

        var callback = WebhookSubscriptionMonitor.CallbackFor(callbackBase);
        try
        {
            // Under the lock the automatic registration takes, so the button and a node's check never both create a topic.
            var registration = await monitor.RegisterCustomerWebhooksAsync(store, callback, cancellationToken);
            monitor.Forget(store.Handle);
            return new WebhookRegistrationResult(
                store.Handle,
                callback,
                [.. registration.Created.Select(s => s.Topic)],
                [.. registration.AlreadyRegistered.Select(s => s.Topic)]);
        }
        catch (ShopifyApiException refused) when (ProtectedCustomerData.IsRefusal(refused))
        {
            throw new ShopifyRefusedException("protected_customer_data", ProtectedCustomerData.Explain(store.Handle, refused.ShopifyMessage), refused);
        }
        catch (ShopifyApiException failed)
        {
            throw new ShopifyRefusedException("shopify_error", $"Shopify refused: {failed.ShopifyMessage}", failed);
        }
    }

    private static bool IsLoopback(Uri uri) => uri.IsLoopback || string.Equals(uri.Host, "localhost", StringComparison.OrdinalIgnoreCase);
}
