using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.AspNetCore.Razor.TagHelpers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrchardShopify.AspNetCore.Customers;
using OrchardShopify.Core.ShopifyApi;

namespace OrchardShopify.Web.TagHelpers;

/// <summary><c>&lt;shopify-customer store="uk"&gt;</c>: the signed-in user's customer in that store, or the not-linked state.</summary>
[HtmlTargetElement("shopify-customer", TagStructure = TagStructure.NormalOrSelfClosing)]
public sealed class ShopifyCustomerTagHelper(CustomerViewService views, IHtmlHelper html, IOptions<IdentityOptions> identity, ILogger<ShopifyCustomerTagHelper> logger)
    : ShopifyTagHelperBase(views, html, identity, logger)
{
    public override async Task ProcessAsync(TagHelperContext context, TagHelperOutput output)
    {
        var model = new CustomerPartModel(Store);
        if (CurrentUserId is { } userId)
        {
            var (lookup, problem) = await LoadAsync(ct => Views.GetCustomerAsync(userId, Store, ct));
            model = model with { SignedIn = true, Status = lookup?.Status, StoreHandle = lookup?.StoreHandle ?? Store, Customer = lookup?.Value, Problem = problem };
        }

        await RenderAsync(output, "shopify-customer", "_Customer", model);
    }
}

/// <summary>
/// <c>&lt;shopify-customer-signals store="uk"&gt;</c>: the commerce signals the sync stored on the signed-in user's link to
/// that store (orders, amount spent, tags, email marketing consent, account state, verified email), read from the site's
/// database, not from Shopify. Shopify owns them; nothing here is ever sent back.
/// </summary>
[HtmlTargetElement("shopify-customer-signals", TagStructure = TagStructure.NormalOrSelfClosing)]
public sealed class ShopifyCustomerSignalsTagHelper(CustomerViewService views, IHtmlHelper html, IOptions<IdentityOptions> identity, ILogger<ShopifyCustomerSignalsTagHelper> logger)
    : ShopifyTagHelperBase(views, html, identity, logger)
{
    public override async Task ProcessAsync(TagHelperContext context, TagHelperOutput output)
    {
        var model = new SignalsPartModel(Store);
        if (CurrentUserId is { } userId)
        {
            var (lookup, problem) = await LoadAsync(ct => Views.GetSignalsAsync(userId, Store, ct));
            model = model with { SignedIn = true, Status = lookup?.Status, StoreHandle = lookup?.StoreHandle ?? Store, Signals = lookup?.Value, Problem = problem };
        }

        await RenderAsync(output, "shopify-customer-signals", "_Signals", model);
    }
}

/// <summary>
/// <c>&lt;shopify-customer-orders store="uk" status="open" page-size="10"&gt;</c>: the signed-in user's orders, newest first,
/// paged with Shopify's cursors (query parameter <c>orders-{store}</c>).
/// </summary>
[HtmlTargetElement("shopify-customer-orders", TagStructure = TagStructure.NormalOrSelfClosing)]
public sealed class ShopifyCustomerOrdersTagHelper(CustomerViewService views, IHtmlHelper html, IOptions<IdentityOptions> identity, ILogger<ShopifyCustomerOrdersTagHelper> logger)
    : ShopifyTagHelperBase(views, html, identity, logger)
{
    /// <summary><c>any</c> (default), <c>open</c>, <c>closed</c> or <c>cancelled</c>.</summary>
    [HtmlAttributeName("status")]
    public string? Status { get; set; }

    /// <summary>Orders per page, 1 to <see cref="CustomerViewService.MaxPageSize"/> (default 10).</summary>
    [HtmlAttributeName("page-size")]
    public int PageSize { get; set; } = 10;

    public override async Task ProcessAsync(TagHelperContext context, TagHelperOutput output)
    {
        var model = new OrdersPartModel(Store, Status ?? "any");
        if (!Enum.TryParse<OrderStatusFilter>(Status ?? "any", ignoreCase: true, out var filter))
        {
            model = model with { Problem = $"status must be any, open, closed or cancelled (was '{Status}')." };
        }
        else if (CurrentUserId is { } userId)
        {
            var pager = new CursorPager(ViewContext.HttpContext.Request, "orders-" + (Store ?? "default"));
            var (lookup, problem) = await LoadAsync(ct => Views.GetOrdersAsync(userId, Store, filter, PageSize, pager.Current, ct));
            model = model with
            {
                SignedIn = true,
                Status = lookup?.Status,
                StoreHandle = lookup?.StoreHandle ?? Store,
                Page = lookup?.Value,
                Problem = problem,
                PageNumber = pager.PageNumber,
                PreviousUrl = pager.PreviousUrl(),
                NextUrl = lookup?.Value is { HasNextPage: true, EndCursor: { } end } ? pager.NextUrl(end) : null,
            };
        }

        await RenderAsync(output, "shopify-customer-orders", "_Orders", model);
    }
}

/// <summary><c>&lt;shopify-customer-addresses store="uk"&gt;</c>: the signed-in user's addresses, the default one marked.</summary>
[HtmlTargetElement("shopify-customer-addresses", TagStructure = TagStructure.NormalOrSelfClosing)]
public sealed class ShopifyCustomerAddressesTagHelper(CustomerViewService views, IHtmlHelper html, IOptions<IdentityOptions> identity, ILogger<ShopifyCustomerAddressesTagHelper> logger)
    : ShopifyTagHelperBase(views, html, identity, logger)
{
    [HtmlAttributeName("page-size")]
    public int PageSize { get; set; } = 10;

    /// <summary>Shows the forms to add, edit, delete and make default (posted to the account page's handlers).</summary>
    [HtmlAttributeName("editable")]
    public bool Editable { get; set; }

    public override async Task ProcessAsync(TagHelperContext context, TagHelperOutput output)
    {
        var model = new AddressesPartModel(Store) { Editable = Editable, Form = AddressFormState.Get(ViewContext.HttpContext) };
        if (CurrentUserId is { } userId)
        {
            var pager = new CursorPager(ViewContext.HttpContext.Request, "addresses-" + (Store ?? "default"));
            var (lookup, problem) = await LoadAsync(ct => Views.GetAddressesAsync(userId, Store, PageSize, pager.Current, ct));
            model = model with
            {
                SignedIn = true,
                Status = lookup?.Status,
                StoreHandle = lookup?.StoreHandle ?? Store,
                Page = lookup?.Value,
                Problem = problem,
                PreviousUrl = pager.PreviousUrl(),
                NextUrl = lookup?.Value is { HasNextPage: true, EndCursor: { } end } ? pager.NextUrl(end) : null,
            };
        }

        await RenderAsync(output, "shopify-customer-addresses", "_Addresses", model);
    }
}

/// <summary>What <c>&lt;shopify-customer-signals&gt;</c> renders.</summary>
public sealed record SignalsPartModel(string? StoreHandle)
{
    public bool SignedIn { get; init; }

    public CustomerLookupStatus? Status { get; init; }

    public OrchardShopify.Core.Customers.CustomerSignals? Signals { get; init; }

    public string? Problem { get; init; }
}

public sealed record CustomerPartModel(string? StoreHandle)
{
    public bool SignedIn { get; init; }

    public CustomerLookupStatus? Status { get; init; }

    public ShopifyCustomerView? Customer { get; init; }

    public string? Problem { get; init; }
}

public sealed record OrdersPartModel(string? StoreHandle, string StatusFilter)
{
    public bool SignedIn { get; init; }

    public CustomerLookupStatus? Status { get; init; }

    public ShopifyPage<ShopifyOrder>? Page { get; init; }

    public string? Problem { get; init; }

    public int PageNumber { get; init; } = 1;

    public string? PreviousUrl { get; init; }

    public string? NextUrl { get; init; }
}

public sealed record AddressesPartModel(string? StoreHandle)
{
    public bool Editable { get; init; }

    /// <summary>A form of this page that failed, to show again with its values and errors.</summary>
    public AddressFormState? Form { get; init; }

    public bool SignedIn { get; init; }

    public CustomerLookupStatus? Status { get; init; }

    public ShopifyPage<ShopifyMailingAddress>? Page { get; init; }

    public string? Problem { get; init; }

    public string? PreviousUrl { get; init; }

    public string? NextUrl { get; init; }
}

/// <summary>
/// Forward-only Shopify cursors made browsable both ways: the query parameter holds the trail of cursors that led
/// to the current page (<c>~</c>-separated; base64 cursors never contain it). Other query parameters are kept.
/// </summary>
internal sealed class CursorPager
{
    private const char Separator = '~';
    private readonly HttpRequest _request;
    private readonly string _parameter;
    private readonly List<string> _trail;

    public CursorPager(HttpRequest request, string parameter)
    {
        _request = request;
        _parameter = parameter;
        _trail = request.Query[parameter].ToString().Split(Separator, StringSplitOptions.RemoveEmptyEntries).Take(200).ToList();
    }

    public string? Current => _trail.Count == 0 ? null : _trail[^1];

    public int PageNumber => _trail.Count + 1;

    public string? PreviousUrl() => _trail.Count == 0 ? null : UrlWith(_trail.Take(_trail.Count - 1));

    public string NextUrl(string endCursor) => UrlWith(_trail.Append(endCursor));

    private string UrlWith(IEnumerable<string> trail)
    {
        var value = string.Join(Separator, trail);
        var query = new QueryBuilder();
        foreach (var (key, values) in _request.Query)
        {
            if (!string.Equals(key, _parameter, StringComparison.OrdinalIgnoreCase))
            {
                foreach (var item in values)
                {
                    query.Add(key, item ?? "");
                }
            }
        }

        if (value.Length > 0)
        {
            query.Add(_parameter, value);
        }

        return _request.PathBase + _request.Path + query.ToQueryString();
    }
}
