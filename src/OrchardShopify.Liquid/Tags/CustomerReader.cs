using Fluid;
using Fluid.Ast;
using Fluid.Values;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrchardShopify.AspNetCore.Customers;
using OrchardShopify.Core.Configuration;
using System.Text.Encodings.Web;

namespace OrchardShopify.Liquid.Tags;

/// <summary>
/// What a tag found: the store it read and, for a signed-in and linked user, the value; <see cref="PageError"/> when the
/// page cursor (from the request, as a rule) was not one Shopify returned.
/// </summary>
internal sealed record TagLookup<T>(bool SignedIn, string StoreHandle, T? Value, string? PageError = null)
    where T : class;

/// <summary>
/// Reads for one render: who is signed in (from the request, never from the template) and the customer view
/// service that decides what they may see.
/// </summary>
internal sealed class CustomerReader
{
    private readonly string _tag;
    private readonly IServiceProvider _services;
    private readonly HttpContext? _http;

    private CustomerReader(string tag, IServiceProvider services)
    {
        _tag = tag;
        _services = services;
        _http = services.GetService<IHttpContextAccessor>()?.HttpContext;
    }

    public static CustomerReader For(string tag, TemplateContext context, Func<TemplateContext, IServiceProvider?> servicesOf)
    {
        var services = servicesOf(context)
            ?? throw new InvalidOperationException($"{tag}: the template context carries no services. Call context.SetShopifyServices(httpContext.RequestServices) before rendering, or register the tags with RegisterShopifyCustomerTags(context => …) returning the request's services.");
        return new CustomerReader(tag, services);
    }

    public Task<TagLookup<T>> ReadAsync<T>(string? store, Func<CustomerViewService, string, CancellationToken, Task<CustomerLookup<T>>> read)
        where T : class
        => ReadAsync(store, pageError: null, read);

    /// <param name="pageError">The request's page cursor was unusable (<see cref="TagValues.PageError"/>): a signed-in user's lists are empty with this message.</param>
    public async Task<TagLookup<T>> ReadAsync<T>(string? store, string? pageError, Func<CustomerViewService, string, CancellationToken, Task<CustomerLookup<T>>> read)
        where T : class
    {
        var userId = _http is null ? null : UserIdOf(_services, _http);
        if (Unavailable(_tag, _services, store) is { } unavailable)
        {
            // The sync is not configured (yet), or the store cannot be read: the site's pages render on, with nothing
            // to show, and the log says why.
            return new TagLookup<T>(userId is not null, unavailable, null);
        }

        var views = _services.GetService<CustomerViewService>()
            ?? throw new InvalidOperationException($"{_tag}: CustomerViewService is not registered; call services.AddShopifyCustomerSync(…).");
        try
        {
            if (userId is null)
            {
                // Nobody to read for, but a wrong store is still the template's error.
                return new TagLookup<T>(SignedIn: false, HandleOf(store), null);
            }

            if (pageError is not null)
            {
                return new TagLookup<T>(SignedIn: true, HandleOf(store), null, pageError);
            }

            var lookup = await read(views, userId, _http!.RequestAborted);
            return new TagLookup<T>(SignedIn: true, lookup.StoreHandle, lookup.Status == CustomerLookupStatus.Found ? lookup.Value : null);
        }
        catch (UnknownStoreException ex)
        {
            throw new ShopifyTagException($"{_tag}: {ex.Message}", ex);
        }
        catch (InvalidCursorException ex)
        {
            // A page link edited by the visitor is not the template's error: the body renders with page_error set.
            return new TagLookup<T>(SignedIn: true, HandleOf(store), null, ex.Message);
        }
    }

    /// <summary>Renders the block's body with the tag's variables in a scope of their own.</summary>
    public static async ValueTask<Completion> RenderBodyAsync(IReadOnlyList<Statement> body, TextWriter writer, TextEncoder encoder, TemplateContext context, IEnumerable<KeyValuePair<string, FluidValue>> variables)
    {
        context.EnterChildScope();
        try
        {
            foreach (var (name, value) in variables)
            {
                context.SetValue(name, value);
            }

            return await body.RenderStatementsAsync(writer, encoder, context);
        }
        finally
        {
            context.ReleaseScope();
        }
    }

    /// <summary>How often the same reason is logged again, in milliseconds.</summary>
    private const long WarningInterval = 60_000;

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> LastWarned = new(StringComparer.Ordinal);

    /// <summary>
    /// Null when the tag can read <paramref name="store"/>; otherwise the handle to show as <c>store</c>, after logging
    /// why it cannot: the sync's settings are not valid (no store configured yet, say), or the store has no access token.
    /// An unknown store is not this: it stays the template's error.
    /// </summary>
    internal static string? Unavailable(string tag, IServiceProvider services, string? store)
    {
        string? problem;
        string handle;
        try
        {
            _ = services.GetRequiredService<IOptionsMonitor<ShopifySyncOptions>>().CurrentValue;
            var registry = services.GetRequiredService<StoreRegistry>();
            ShopifyStore resolved;
            try
            {
                resolved = registry.ResolveForTemplate(store);
            }
            catch (UnknownStoreException)
            {
                return null;
            }

            handle = resolved.Handle;
            problem = resolved.CanCallAdminApi ? null : $"store '{resolved.Handle}' has no access token (Shopify:Stores:{resolved.Handle}:AccessToken), so its customers cannot be read";
        }
        catch (OptionsValidationException ex)
        {
            handle = store ?? "";
            problem = $"the Shopify sync's settings are not valid yet ({string.Join(" ", ex.Failures)})";
        }

        if (problem is null)
        {
            return null;
        }

        // Once a minute per reason: every visitor's page renders the tags, and the log should say why, not flood.
        var now = Environment.TickCount64;
        if (!LastWarned.TryGetValue(problem, out var last) || now - last >= WarningInterval)
        {
            LastWarned[problem] = now;
            if (LastWarned.Count > 1_000)
            {
                LastWarned.Clear();
            }

            services.GetService<ILoggerFactory>()?.CreateLogger(typeof(ShopifyLiquidTags)).LogWarning("{Tag} renders with nothing to show: {Problem}.", tag, problem);
        }

        return handle;
    }

    /// <summary>The signed-in user's id as the host names it (its <see cref="ICurrentUserIdAccessor"/>, else Identity's user id claim type); never from the template.</summary>
    internal static string? UserIdOf(IServiceProvider services, HttpContext http)
        => (services.GetService<ICurrentUserIdAccessor>() ?? new ClaimsCurrentUserIdAccessor(services.GetService<IOptions<IdentityOptions>>())).GetUserId(http);

    /// <exception cref="UnknownStoreException">No enabled store has the handle (the template's error).</exception>
    private string HandleOf(string? store) => _services.GetRequiredService<StoreRegistry>().ResolveForTemplate(store).Handle;
}
