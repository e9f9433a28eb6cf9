using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using Microsoft.AspNetCore.Razor.TagHelpers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrchardShopify.AspNetCore.Customers;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.ShopifyApi;

namespace OrchardShopify.Web.TagHelpers;

/// <summary>
/// Shared by the customer tag helpers: the signed-in user's id (never a customer id from the page or the request),
/// the view service, and rendering a partial from Pages/Shared/Shopify with the loaded data.
/// </summary>
public abstract partial class ShopifyTagHelperBase(CustomerViewService views, IHtmlHelper html, IOptions<IdentityOptions> identity, ILogger logger) : TagHelper
{
    /// <summary>The store handle (<c>uk</c>); may be left out when one store is configured.</summary>
    [HtmlAttributeName("store")]
    public string? Store { get; set; }

    [ViewContext]
    [HtmlAttributeNotBound]
    public ViewContext ViewContext { get; set; } = null!;

    protected CustomerViewService Views => views;

    protected string? CurrentUserId =>
        ViewContext.HttpContext.User.Identity?.IsAuthenticated == true ? ViewContext.HttpContext.User.FindFirstValue(identity.Value.ClaimsIdentity.UserIdClaimType) : null;

    protected CancellationToken Aborted => ViewContext.HttpContext.RequestAborted;

    protected async Task RenderAsync(TagHelperOutput output, string cssClass, string partial, object model)
    {
        ArgumentNullException.ThrowIfNull(output);
        ((IViewContextAware)html).Contextualize(ViewContext);
        output.TagName = "section";
        output.TagMode = TagMode.StartTagAndEndTag;
        output.Attributes.SetAttribute("class", cssClass);
        output.Attributes.SetAttribute("data-store", Store ?? "");
        output.Content.SetHtmlContent(await html.PartialAsync("/Pages/Shared/Shopify/" + partial + ".cshtml", model));
    }

    /// <summary>Loads through the view service; Shopify being unreachable or a wrong store name shows as a message, not an error page.</summary>
    protected async Task<(T? Value, string? Problem)> LoadAsync<T>(Func<CancellationToken, Task<T>> load)
        where T : class
    {
        try
        {
            return (await load(Aborted), null);
        }
        catch (UnknownStoreException ex)
        {
            return (null, ex.Message);
        }
        catch (InvalidCursorException ex)
        {
            // The page link was edited or is stale: the visitor's request is at fault, and the page says so.
            if (!ViewContext.HttpContext.Response.HasStarted)
            {
                ViewContext.HttpContext.Response.StatusCode = StatusCodes.Status400BadRequest;
            }

            return (null, $"That page link is not valid. {ex.Message}");
        }
        catch (ShopifyApiException ex)
        {
            Log.ShopifyReadFailed(logger, Store, ex);
            return (null, "Shopify could not be reached just now; try again in a moment.");
        }
        catch (HttpRequestException ex)
        {
            Log.ShopifyReadFailed(logger, Store, ex);
            return (null, "Shopify could not be reached just now; try again in a moment.");
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Reading the signed-in user's Shopify data from store {Store} failed")]
        public static partial void ShopifyReadFailed(ILogger logger, string? store, Exception exception);
    }
}
