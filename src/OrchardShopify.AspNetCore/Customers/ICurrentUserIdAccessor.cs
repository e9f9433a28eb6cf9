using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace OrchardShopify.AspNetCore.Customers;

/// <summary>
/// Whose customer a read is for: the signed-in user's id as the link store keys it. Customer pages, the
/// headless API and the Liquid tags ask this and nothing else; replace it when links are keyed by another claim.
/// </summary>
public interface ICurrentUserIdAccessor
{
    /// <returns>The user id, or null when nobody is signed in.</returns>
    string? GetUserId(HttpContext httpContext);
}

/// <summary>
/// The default: Identity's user id claim (<see cref="ClaimsIdentityOptions.UserIdClaimType"/>, which is
/// <see cref="ClaimTypes.NameIdentifier"/> unless configured), and only for an authenticated user.
/// </summary>
public sealed class ClaimsCurrentUserIdAccessor : ICurrentUserIdAccessor
{
    private readonly string _claimType;

    public ClaimsCurrentUserIdAccessor(IOptions<IdentityOptions>? identity = null)
    {
        var configured = identity?.Value.ClaimsIdentity.UserIdClaimType;
        _claimType = string.IsNullOrEmpty(configured) ? ClaimTypes.NameIdentifier : configured;
    }

    public string? GetUserId(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        if (httpContext.User.Identity?.IsAuthenticated != true)
        {
            return null;
        }

        var id = httpContext.User.FindFirstValue(_claimType);
        return string.IsNullOrEmpty(id) ? null : id;
    }
}
