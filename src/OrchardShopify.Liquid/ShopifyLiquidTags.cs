using Fluid;
using OrchardShopify.Liquid.Tags;

namespace OrchardShopify.Liquid;

/// <summary>
/// The Shopify customer blocks for Fluid 2.x: <c>shopify_customer</c>, <c>shopify_customer_orders</c>,
/// <c>shopify_customer_addresses</c>, and <c>shopify_address_form</c> (the action URL and antiforgery token of the form
/// that adds, edits, deletes or makes default one of the user's addresses). They show the signed-in user's own customer
/// only; no argument names a customer.
/// </summary>
public static class ShopifyLiquidTags
{
    public const string CustomerTag = "shopify_customer";
    public const string OrdersTag = "shopify_customer_orders";
    public const string AddressesTag = "shopify_customer_addresses";
    public const string AddressFormTag = "shopify_address_form";

    /// <summary>
    /// Registers the four blocks on <paramref name="parser"/> (Orchard Core's <c>LiquidViewParser</c> is one).
    /// </summary>
    /// <param name="services">
    /// Finds the request's services for a render. Orchard Core: <c>context =&gt; ((LiquidTemplateContext)context).Services</c>.
    /// Default: the provider stored with <see cref="ShopifyTemplateContextExtensions.SetShopifyServices"/>.
    /// </param>
    public static FluidParser RegisterShopifyCustomerTags(this FluidParser parser, Func<TemplateContext, IServiceProvider?>? services = null)
    {
        ArgumentNullException.ThrowIfNull(parser);
        var servicesOf = services ?? ShopifyTemplateContextExtensions.GetShopifyServices;

        var customer = new CustomerTag(servicesOf);
        parser.RegisterParserBlock(CustomerTag, TagArguments.Parser(CustomerTag, TagArgumentSet.Customer), customer.RenderAsync);

        var orders = new OrdersTag(servicesOf);
        parser.RegisterParserBlock(OrdersTag, TagArguments.Parser(OrdersTag, TagArgumentSet.Orders), orders.RenderAsync);

        var addresses = new AddressesTag(servicesOf);
        parser.RegisterParserBlock(AddressesTag, TagArguments.Parser(AddressesTag, TagArgumentSet.Addresses), addresses.RenderAsync);

        var addressForm = new AddressFormTag(servicesOf);
        parser.RegisterParserBlock(AddressFormTag, TagArguments.Parser(AddressFormTag, TagArgumentSet.AddressForm), addressForm.RenderAsync);
        return parser;
    }
}
