using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace OrchardShopify.Web.Hosting;

/// <summary>
/// Forms that create accounts or send mail are limited (ASP.NET Core rate limiting): a script posting registrations
/// cannot fill the stores with customers or the outbox with mail, and nobody can flood a mailbox with confirmation
/// mails. Section <c>Site:AccountRateLimit</c>: <c>PermitLimit</c> (default 5) posts per <c>Window</c> (default 10
/// minutes) per client address, and as many confirmation mails per account; over it the answer is 429. The pages are
/// matched by their route (after routing), so <c>/account/register/</c> or <c>/ACCOUNT/Register</c> count as the page.
/// </summary>
internal static class SiteRateLimits
{
    /// <summary>Route patterns of the limited pages, with the handler limited on each (null: every post to the page).</summary>
    private static readonly (string Route, string? Handler)[] LimitedPosts =
    [
        ("account/register", null),
        ("account/forgot-password", null),
        ("account", "ResendConfirmation"),
    ];

    public static void Add(IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection("Site:AccountRateLimit");
        var permits = section.GetValue("PermitLimit", 5);
        var window = section.GetValue("Window", TimeSpan.FromMinutes(10));
        if (permits < 1 || window <= TimeSpan.Zero)
        {
            throw new InvalidOperationException($"Site:AccountRateLimit:PermitLimit must be at least 1 and Site:AccountRateLimit:Window positive (were {permits} and {window}).");
        }

        FixedWindowRateLimiterOptions Options(string _) => new() { PermitLimit = permits, Window = window, QueueLimit = 0 };
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.GlobalLimiter = PartitionedRateLimiter.CreateChained(
                PartitionedRateLimiter.Create<HttpContext, string>(http => Limited(http) is not null
                    ? RateLimitPartition.GetFixedWindowLimiter("address:" + (http.Connection.RemoteIpAddress?.ToString() ?? "unknown"), Options)
                    : RateLimitPartition.GetNoLimiter("")),
                PartitionedRateLimiter.Create<HttpContext, string>(http => Limited(http) is { Handler: not null } && AccountOf(http) is { } account
                    ? RateLimitPartition.GetFixedWindowLimiter("account:" + account, Options)
                    : RateLimitPartition.GetNoLimiter("")));
            o.OnRejected = async (context, cancellationToken) =>
            {
                context.HttpContext.Response.ContentType = "text/plain; charset=utf-8";
                await context.HttpContext.Response.WriteAsync("Too many attempts. Try again later.", cancellationToken);
            };
        });
    }

    private static (string Route, string? Handler)? Limited(HttpContext http)
    {
        if (!HttpMethods.IsPost(http.Request.Method) || http.GetEndpoint() is not RouteEndpoint endpoint)
        {
            return null;
        }

        // Webhook deliveries are posts too: only the route is compared for them.
        var route = endpoint.RoutePattern.RawText?.Trim('/') ?? "";
        foreach (var limited in LimitedPosts)
        {
            if (string.Equals(route, limited.Route, StringComparison.OrdinalIgnoreCase)
                && (limited.Handler is null || string.Equals(HandlerOf(http), limited.Handler, StringComparison.OrdinalIgnoreCase)))
            {
                return limited;
            }
        }

        return null;
    }

    /// <summary>The Razor Pages handler the post names (<c>?handler=…</c>, as the forms' <c>asp-page-handler</c> writes it).</summary>
    private static string? HandlerOf(HttpContext http)
        => http.Request.RouteValues.TryGetValue("handler", out var fromRoute) && fromRoute is string named ? named : http.Request.Query["handler"].FirstOrDefault();

    private static string? AccountOf(HttpContext http)
        => http.User.Identity?.IsAuthenticated == true ? http.User.FindFirst(ClaimTypes.NameIdentifier)?.Value : null;
}
