using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.Customers;
using OrchardShopify.Core.ShopifyApi;
using OrchardShopify.Core.Webhooks;

namespace OrchardShopify.Core.Sync;

/// <summary>Where a customer's state applied by the inbound rules came from.</summary>
public enum CustomerStateSource
{
    /// <summary>
    /// A verified <c>customers/create|update|enable|disable</c> delivery. Shopify's retries keep no order, so a deletion
    /// remembered for the customer holds it back.
    /// </summary>
    WebhookDelivery,

    /// <summary>The Admin API's present state, read by a bulk import. Shopify has the customer now: a remembered deletion does not hold it back.</summary>
    Import,

    /// <summary>
    /// The Admin API's present state, read to bring a customer and the site together (a reconciliation's fix, a scheduled
    /// catch-up). Shopify has the customer now: a remembered deletion does not hold it back.
    /// </summary>
    Reconciliation,
}

/// <summary>
/// One customer's state as the inbound rules apply it (<see cref="InboundCustomerApplier"/>,
/// <see cref="InboundNewCustomerBatch"/>), and where it came from: a delivery's payload (<see cref="FromDelivery"/>) or
/// a customer read from the Admin API (<see cref="FromShopify"/>).
/// </summary>
/// <param name="Profile">The profile as Shopify holds it: the phone as Shopify sent it, not yet normalised.</param>
/// <param name="UpdatedAt">Shopify's <c>updated_at</c>: a linked user is refreshed only by a newer state (see <see cref="EchoRules"/>).</param>
internal sealed record InboundCustomerState(
    ShopifyStore Store,
    long CustomerId,
    CustomerProfile Profile,
    bool? VerifiedEmail,
    DateTimeOffset? UpdatedAt,
    CustomerStateSource Source)
{
    /// <summary>
    /// The delivery's <c>X-Shopify-Triggered-At</c>; null for a state read from the Admin API, whose ties on
    /// <c>updated_at</c> are decided by whether it differs from the state last synced.
    /// </summary>
    public DateTimeOffset? TriggeredAt { get; init; }

    /// <summary>The commerce signals this state carries, stored on the link unless the link has newer ones (<see cref="EchoRules.KeepNewerSignals"/>); null when it carries none.</summary>
    public CustomerSignals? Signals { get; init; }

    /// <summary>Shopify has the customer now (read from the Admin API): a deletion remembered for its id does not hold it back.</summary>
    public bool IsShopifyNow => Source != CustomerStateSource.WebhookDelivery;

    /// <summary>The state a verified customer delivery carries.</summary>
    public static InboundCustomerState FromDelivery(WebhookDelivery delivery, CustomerPayload customer)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        ArgumentNullException.ThrowIfNull(customer);
        return new InboundCustomerState(delivery.Store, customer.Id, customer.Profile, customer.VerifiedEmail, customer.UpdatedAt, CustomerStateSource.WebhookDelivery)
        {
            TriggeredAt = delivery.TriggeredAt,
            Signals = customer.Signals,
        };
    }

    /// <summary>The state of a customer the Admin API reports now.</summary>
    /// <exception cref="ArgumentException"><paramref name="source"/> is <see cref="CustomerStateSource.WebhookDelivery"/>: deliveries are built with <see cref="FromDelivery"/>.</exception>
    public static InboundCustomerState FromShopify(ShopifyStore store, ShopifyCustomer customer, CustomerStateSource source)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(customer);
        if (source == CustomerStateSource.WebhookDelivery || !Enum.IsDefined(source))
        {
            throw new ArgumentException($"A customer read from the Admin API comes from an import or a reconciliation, not '{source}'.", nameof(source));
        }

        return new InboundCustomerState(store, customer.Id, customer.Profile, customer.VerifiedEmail, customer.UpdatedAt, source) { Signals = customer.Signals };
    }
}
