using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace OrchardShopify.Web.Hosting;

/// <summary>
/// Forms that create accounts or send mail are limited per client address (ASP.NET Core rate limiting): a script posting
/// registrations cannot fill the stores with customers or the outbox with mail. Section <c>Site:AccountRateLimit</c>:
/// <c>PermitLimit</c> (default 5) posts per <c>Window</c> (default 10 minutes); over it the answer is 429.
/// </summary>
internal static class SiteRateLimits
{
    private static readonly string[] LimitedPosts = ["/account/register", "/account/forgot-password"];

    public static void Add(IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection("Site:AccountRateLimit");
        var permits = section.GetValue("PermitLimit", 5);
        var window = section.GetValue("Window", TimeSpan.FromMinutes(10));
        if (permits < 1 || window <= TimeSpan.Zero)
        {
            throw new InvalidOperationException($"Site:AccountRateLimit:PermitLimit must be at least 1 and Site:AccountRateLimit:Window positive (were {permits} and {window}).");
        }

        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
                HttpMethods.IsPost(http.Request.Method) && LimitedPosts.Any(p => http.Request.Path.Equals(p, StringComparison.OrdinalIgnoreCase))
                    ? RateLimitPartition.GetFixedWindowLimiter(
                        "account:" + (http.Connection.RemoteIpAddress?.ToString() ?? "unknown"),
                        _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = window, QueueLimit = 0 })
                    : RateLimitPartition.GetNoLimiter(""));
            o.OnRejected = async (context, cancellationToken) =>
            {
                context.HttpContext.Response.ContentType = "text/plain; charset=utf-8";
                await context.HttpContext.Response.WriteAsync("Too many attempts from your address. Try again later.", cancellationToken);
            };
        });
    }
}
