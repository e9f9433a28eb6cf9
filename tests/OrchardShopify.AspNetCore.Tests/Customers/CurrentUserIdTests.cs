using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrchardShopify.AspNetCore.Customers;

namespace OrchardShopify.AspNetCore.Tests.Customers;

public sealed class CurrentUserIdTests
{
    [Fact]
    public void Signed_in_user_is_identified_by_the_name_identifier_claim()
    {
        var http = Http(authenticated: true, new Claim(ClaimTypes.NameIdentifier, "user-17"), new Claim("sub", "other"));

        Assert.Equal("user-17", new ClaimsCurrentUserIdAccessor().GetUserId(http));
    }

    [Fact]
    public void Claims_of_an_unauthenticated_identity_identify_nobody()
    {
        var http = Http(authenticated: false, new Claim(ClaimTypes.NameIdentifier, "user-17"));

        Assert.Null(new ClaimsCurrentUserIdAccessor().GetUserId(http));
    }

    [Fact]
    public void Identity_user_id_claim_type_is_honoured()
    {
        var identity = Options.Create(new IdentityOptions());
        identity.Value.ClaimsIdentity.UserIdClaimType = "sub";
        var http = Http(authenticated: true, new Claim(ClaimTypes.NameIdentifier, "wrong"), new Claim("sub", "user-42"));

        Assert.Equal("user-42", new ClaimsCurrentUserIdAccessor(identity).GetUserId(http));
    }

    [Fact]
    public void The_customer_endpoints_honour_the_sites_user_id_claim_type()
    {
        var services = new ServiceCollection();
        services.Configure<IdentityOptions>(o => o.ClaimsIdentity.UserIdClaimType = "sub");
        using var provider = services.BuildServiceProvider();
        var http = Http(authenticated: true, new Claim(ClaimTypes.NameIdentifier, "wrong"), new Claim("sub", "user-42"));
        http.RequestServices = provider;

        Assert.Equal("user-42", CustomerApiEndpoints.UserId(http));
    }

    private static DefaultHttpContext Http(bool authenticated, params Claim[] claims)
        => new() { User = new ClaimsPrincipal(new ClaimsIdentity(claims, authenticated ? "Test" : null)) };
}
