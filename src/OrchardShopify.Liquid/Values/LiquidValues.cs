using Fluid.Values;
using OrchardShopify.Core.Customers;
using OrchardShopify.Core.ShopifyApi;

namespace OrchardShopify.Liquid.Values;

/// <summary>
/// The view records as Liquid values with snake_case members. Every text is an encoded string value, so a host that
/// renders with an HTML encoder (Orchard Core does) escapes whatever Shopify holds.
/// </summary>
internal static class LiquidValues
{
    public static FluidValue Customer(ShopifyCustomerView customer) => Object(
        ("id", Number(customer.Id)),
        ("email", Text(customer.Email)),
        ("name", Text(customer.DisplayName)),
        ("first_name", Text(customer.FirstName)),
        ("last_name", Text(customer.LastName)),
        ("phone", Text(customer.Phone)),
        ("note", Text(customer.Note)),
        ("orders_count", Number(customer.NumberOfOrders)),
        ("total_spent", Money(customer.AmountSpent)),
        ("last_order", customer.LastOrder is null ? NilValue.Instance : LastOrder(customer.LastOrder)),
        ("default_address", customer.DefaultAddress is null ? NilValue.Instance : Address(customer.DefaultAddress)),
        ("created_at", new DateTimeValue(customer.CreatedAt)),
        ("updated_at", new DateTimeValue(customer.UpdatedAt)));

    /// <summary>
    /// The commerce signals stored on the user's link: <c>orders_count</c>, <c>total_spent</c> (<c>amount</c>,
    /// <c>currency_code</c>), <c>tags</c>, <c>email_marketing_state</c>, <c>state</c>, <c>verified_email</c>,
    /// <c>updated_at</c>; nil members until Shopify reported them.
    /// </summary>
    public static FluidValue Signals(CustomerSignals signals) => Object(
        ("orders_count", signals.NumberOfOrders is { } orders ? Number(orders) : NilValue.Instance),
        ("total_spent", signals.AmountSpent is { } spent ? Money(new ShopifyMoney(spent, signals.Currency ?? "")) : NilValue.Instance),
        ("tags", new ArrayValue(signals.Tags.Select(Text).ToList())),
        ("email_marketing_state", Text(signals.EmailMarketingState)),
        ("state", Text(signals.State)),
        ("verified_email", signals.VerifiedEmail is { } verified ? BooleanValue.Create(verified) : NilValue.Instance),
        ("updated_at", Date(signals.UpdatedAt)));

    public static FluidValue Order(ShopifyOrder order) => Object(
        ("id", Text(order.Id)),
        ("name", Text(order.Name)),
        ("created_at", new DateTimeValue(order.CreatedAt)),
        ("processed_at", Date(order.ProcessedAt)),
        ("cancelled_at", Date(order.CancelledAt)),
        ("closed_at", Date(order.ClosedAt)),
        ("cancelled", BooleanValue.Create(order.IsCancelled)),
        ("closed", BooleanValue.Create(order.IsClosed)),
        ("financial_status", Text(order.FinancialStatus?.ToLowerInvariant())),
        ("fulfillment_status", Text(order.FulfillmentStatus.ToLowerInvariant())),
        ("status_page_url", Text(order.StatusPageUrl?.AbsoluteUri)),
        ("subtotal", Money(order.Subtotal)),
        ("shipping", Money(order.Shipping)),
        ("tax", Money(order.Tax)),
        ("total", Money(order.Total)),
        ("line_items", new ArrayValue(order.LineItems.Select(LineItem).ToList())),
        ("line_items_count", Number(order.LineItems.Count)),
        ("has_more_line_items", BooleanValue.Create(order.HasMoreLineItems)));

    public static FluidValue Address(ShopifyMailingAddress address) => Object(
        ("id", Text(address.Id)),
        ("first_name", Text(address.FirstName)),
        ("last_name", Text(address.LastName)),
        ("name", Text(address.Name)),
        ("company", Text(address.Company)),
        ("address1", Text(address.Address1)),
        ("address2", Text(address.Address2)),
        ("city", Text(address.City)),
        ("province", Text(address.Province)),
        ("province_code", Text(address.ProvinceCode)),
        ("zip", Text(address.Zip)),
        ("country", Text(address.Country)),
        ("country_code", Text(address.CountryCode)),
        ("phone", Text(address.Phone)),
        ("formatted", new ArrayValue(address.Formatted.Select(line => Text(line)).ToList())),
        ("is_default", BooleanValue.Create(address.IsDefault)));

    public static FluidValue List<T>(IReadOnlyList<T> items, Func<T, FluidValue> map) => new ArrayValue(items.Select(map).ToList());

    /// <summary><c>paging.has_next_page</c>, <c>paging.next_cursor</c> (pass it as <c>after:</c>), the cursor and limit used.</summary>
    public static FluidValue Paging<T>(ShopifyPage<T>? page, int limit, string? after) => Object(
        ("has_next_page", BooleanValue.Create(page?.HasNextPage == true)),
        ("next_cursor", page?.HasNextPage == true ? Text(page.EndCursor) : NilValue.Instance),
        ("after", Text(after)),
        ("is_first_page", BooleanValue.Create(after is null)),
        ("limit", Number(limit)));

    public static FluidValue Text(string? text) => text is null ? NilValue.Instance : new StringValue(text);

    public static FluidValue Number(decimal number) => NumberValue.Create(number);

    private static DictionaryValue LastOrder(ShopifyOrderSummary order) => Object(
        ("id", Text(order.Id)),
        ("name", Text(order.Name)),
        ("created_at", new DateTimeValue(order.CreatedAt)),
        ("financial_status", Text(order.FinancialStatus?.ToLowerInvariant())),
        ("fulfillment_status", Text(order.FulfillmentStatus.ToLowerInvariant())),
        ("status_page_url", Text(order.StatusPageUrl?.AbsoluteUri)),
        ("total", Money(order.Total)));

    private static DictionaryValue LineItem(ShopifyOrderLineItem item) => Object(
        ("id", Text(item.Id)),
        ("title", Text(item.Title)),
        ("variant_title", Text(item.VariantTitle)),
        ("sku", Text(item.Sku)),
        ("quantity", Number(item.Quantity)),
        ("current_quantity", Number(item.CurrentQuantity)),
        ("total", Money(item.DiscountedTotal)));

    private static FluidValue Money(ShopifyMoney? money) => money is null
        ? NilValue.Instance
        : Object(("amount", Number(money.Amount)), ("currency_code", Text(money.CurrencyCode)));

    private static FluidValue Date(DateTimeOffset? date) => date is null ? NilValue.Instance : new DateTimeValue(date.Value);

    private static DictionaryValue Object(params (string Name, FluidValue Value)[] members)
        => new(new FluidValueDictionaryFluidIndexable(members.ToDictionary(m => m.Name, m => m.Value, StringComparer.Ordinal)));
}
