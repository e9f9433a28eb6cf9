using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrchardShopify.Web.Hosting;

namespace OrchardShopify.Web.Tests;

/// <summary>
/// The account limits' partitions, on the limiter the site registers: confirmation mails asked for one account from
/// ever new addresses still stop at the limit, and another account is not held back by them.
/// </summary>
public sealed class AccountRateLimitPartitionTests
{
    [Fact]
    public void Confirmation_mails_for_one_account_stop_at_the_limit_whatever_address_asks()
    {
        var services = new ServiceCollection();
        SiteRateLimits.Add(services, new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Site:AccountRateLimit:PermitLimit"] = "2",
            ["Site:AccountRateLimit:Window"] = "01:00:00",
        }).Build());
        using var provider = services.BuildServiceProvider();
        var limiter = provider.GetRequiredService<IOptions<RateLimiterOptions>>().Value.GlobalLimiter!;

        bool Resend(string user, int address)
        {
            using var lease = limiter.AttemptAcquire(Request(user, IPAddress.Parse($"10.0.0.{address}")));
            return lease.IsAcquired;
        }

        var victim = Enumerable.Range(1, 4).Select(address => Resend("user-victim", address)).ToList();
        var other = Resend("user-other", 5);

        Assert.Equal([true, true, false, false], victim);
        Assert.True(other);
    }

    private static DefaultHttpContext Request(string userId, IPAddress address)
    {
        var http = new DefaultHttpContext
        {
            User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, userId)], "Test")),
        };
        http.Request.Method = HttpMethods.Post;
        http.Request.QueryString = new QueryString("?handler=ResendConfirmation");
        http.Connection.RemoteIpAddress = address;
        http.SetEndpoint(new RouteEndpoint(_ => Task.CompletedTask, RoutePatternFactory.Parse("account"), 0, EndpointMetadataCollection.Empty, "account"));
        return http;
    }
}
