namespace OrchardShopify.Liquid;

/// <summary>
/// A Shopify tag was used wrongly in a way only the render can tell (an unknown store, a variable holding a bad
/// status or limit). Arguments written as literals are checked when the template is parsed instead.
/// </summary>
public sealed class ShopifyTagException : Exception
{
    public ShopifyTagException()
    {
    }

    public ShopifyTagException(string message)
        : base(message)
    {
    }

    public ShopifyTagException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
