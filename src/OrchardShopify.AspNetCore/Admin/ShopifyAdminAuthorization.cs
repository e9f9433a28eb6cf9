using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrchardShopify.AspNetCore.Customers;
using OrchardShopify.AspNetCore.DependencyInjection;

namespace OrchardShopify.AspNetCore.Admin;

/// <summary>
/// Who may call the admin JSON (<c>/!/shopify/admin/api</c>), in ASP.NET Core's own terms: the named policy
/// <see cref="PolicyName"/> (members of <c>Shopify:AdminRole</c>, or a caller authenticated by the
/// <see cref="ApiKeyScheme"/> scheme with <c>X-Api-Key</c>). A host can name another policy in
/// <c>MapShopifyAdminApi(policy)</c> (Orchard Core: its <c>ManageShopifySync</c> permission) and add its own with
/// <c>.RequireAuthorization(…)</c>.
/// Requests whose credentials a browser sends by itself (the sign-in cookie) must also prove they come from the site's
/// own pages when they change something: a same-origin <c>Origin</c> (or <c>Sec-Fetch-Site: same-origin</c>), an
/// antiforgery token in the <c>RequestVerificationToken</c> header, and a JSON body. API-key callers are exempt.
/// </summary>
public static class ShopifyAdminAuthorization
{
    /// <summary>The policy the admin JSON requires unless the host names another.</summary>
    public const string PolicyName = "ShopifyAdmin";

    /// <summary>The authentication scheme of <c>X-Api-Key</c> callers.</summary>
    public const string ApiKeyScheme = "ShopifyAdminApiKey";

    /// <summary>The claim an API-key caller's identity carries.</summary>
    public const string ApiKeyClaim = "shopify_admin_api_key";

    internal const string ApiKeyHeader = "X-Api-Key";

    internal static void AddShopifyAdminAuthorization(this IServiceCollection services)
    {
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, ApiKeyHandler>(ApiKeyScheme, displayName: "Shopify admin API key", _ => { });
        services.AddAuthorizationCore(options =>
        {
            if (options.GetPolicy(PolicyName) is null)
            {
                options.AddPolicy(PolicyName, policy => policy.AddRequirements(new AdminRequirement()));
            }
        });
        services.AddSingleton<IAuthorizationHandler, AdminRequirementHandler>();
        services.AddAntiforgery();
    }

    /// <summary>The endpoint filter of the admin JSON: authentication, the policy, and proof of origin for browser-sent credentials.</summary>
    internal static async ValueTask<object?> RequireAdminAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next, string policyName)
        => await AuthorizeOnceAsync(context.HttpContext, policyName) is { } refused ? refused : await next(context);

    /// <summary>
    /// Authentication, the policy and proof of origin, decided once per request (the admin group runs it before minimal
    /// APIs bind the request, so a caller who may not use the admin JSON never has its body read): the problem to
    /// answer, or null with <see cref="HttpContext.User"/> set to the caller.
    /// </summary>
    internal static async ValueTask<ProblemHttpResult?> AuthorizeOnceAsync(HttpContext http, string policyName)
    {
        if (http.Items.TryGetValue(DecisionKey, out var decided) && decided is Decision decision)
        {
            return decision.Refusal;
        }

        var refusal = await AuthorizeAsync(http, policyName);
        http.Items[DecisionKey] = new Decision(refusal);
        return refusal;
    }

    private static readonly object DecisionKey = new();

    private sealed record Decision(ProblemHttpResult? Refusal);

    private static async ValueTask<ProblemHttpResult?> AuthorizeAsync(HttpContext http, string policyName)
    {
        ClaimsPrincipal user;
        var byApiKey = http.Request.Headers.ContainsKey(ApiKeyHeader);
        if (byApiKey)
        {
            var authenticated = await http.AuthenticateAsync(ApiKeyScheme);
            if (!authenticated.Succeeded)
            {
                return AdminJson.Problem("invalid_api_key", authenticated.Failure?.Message ?? "The API key is not valid.", StatusCodes.Status401Unauthorized);
            }

            user = authenticated.Principal;
        }
        else if (http.User.Identity?.IsAuthenticated == true)
        {
            user = http.User;
        }
        else
        {
            return AdminJson.Problem("not_signed_in", $"Sign in as an administrator or send {ApiKeyHeader}.", StatusCodes.Status401Unauthorized);
        }

        var authorization = http.RequestServices.GetRequiredService<IAuthorizationService>();
        if (!(await authorization.AuthorizeAsync(user, http, policyName)).Succeeded)
        {
            return AdminJson.Problem("forbidden", "Administrators only.", StatusCodes.Status403Forbidden);
        }

        if (!byApiKey && !HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method) && !HttpMethods.IsOptions(http.Request.Method))
        {
            if (RefuseCrossSite(http) is { } refused)
            {
                return refused;
            }

            var antiforgery = http.RequestServices.GetRequiredService<IAntiforgery>();
            if (!await antiforgery.IsRequestValidAsync(http))
            {
                return AdminJson.Problem(
                    "antiforgery_token_missing",
                    $"A signed-in request that changes something needs the site's antiforgery token in the {AntiforgeryHeader(http)} header (or use {ApiKeyHeader}).");
            }
        }

        http.User = user;
        return null;
    }

    private static ProblemHttpResult? RefuseCrossSite(HttpContext http)
    {
        var request = http.Request;
        if (CrossOrigin(http, $"other clients use {ApiKeyHeader}.") is { } crossOrigin)
        {
            return AdminJson.Problem("cross_origin", crossOrigin, StatusCodes.Status403Forbidden);
        }

        var hasBody = request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0;
        if (hasBody && !request.HasJsonContentType())
        {
            return AdminJson.Problem("unsupported_media_type", $"The body must be application/json (was '{request.ContentType}').", StatusCodes.Status415UnsupportedMediaType);
        }

        return null;
    }

    /// <summary>
    /// Refuses a request not sent by the site's own pages: the <c>Origin</c> must be the site's, or, without one,
    /// <c>Sec-Fetch-Site</c> must say <c>same-origin</c>. Used by every cookie-authenticated request that changes something.
    /// </summary>
    internal static IResult? RefuseCrossOrigin(HttpContext http, string otherClients)
        => CrossOrigin(http, otherClients) is { } refused ? AdminJson.Error("cross_origin", refused, StatusCodes.Status403Forbidden) : null;

    /// <summary>Why the request is refused as not sent by the site's own pages; null when it is.</summary>
    private static string? CrossOrigin(HttpContext http, string otherClients)
    {
        var request = http.Request;
        var own = $"{request.Scheme}://{request.Host}";
        var origin = request.Headers.Origin.ToString();
        if (origin.Length > 0)
        {
            if (!string.Equals(origin, own, StringComparison.OrdinalIgnoreCase))
            {
                return $"Requests from {origin} may not change the Shopify data of {own}.";
            }
        }
        else if (!string.Equals(request.Headers["Sec-Fetch-Site"].ToString(), "same-origin", StringComparison.OrdinalIgnoreCase))
        {
            return $"A signed-in request that changes something must come from the site's own pages (Origin {own}); {otherClients}";
        }

        return null;
    }

    internal static string AntiforgeryHeaderName(HttpContext http) => AntiforgeryHeader(http);

    private static string AntiforgeryHeader(HttpContext http)
        => http.RequestServices.GetService<IOptions<AntiforgeryOptions>>()?.Value.HeaderName ?? "RequestVerificationToken";

    private sealed class AdminRequirement : IAuthorizationRequirement;

    private sealed class AdminRequirementHandler(IOptionsMonitor<ShopifyHostOptions> options) : AuthorizationHandler<AdminRequirement>
    {
        protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, AdminRequirement requirement)
        {
            if (context.User.HasClaim(c => c.Type == ApiKeyClaim) || context.User.IsInRole(options.CurrentValue.AdminRole))
            {
                context.Succeed(requirement);
            }

            return Task.CompletedTask;
        }
    }

    private sealed class ApiKeyHandler(
        IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
        ILoggerFactory logger,
        UrlEncoder encoder,
        IOptionsMonitor<ShopifyHostOptions> hostOptions)
        : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, logger, encoder)
    {
        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            if (!Request.Headers.TryGetValue(ApiKeyHeader, out var given))
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }

            if (given.Count != 1 || !KeyMatches(given[0], hostOptions.CurrentValue.AdminApiKey))
            {
                return Task.FromResult(AuthenticateResult.Fail("The API key is not valid."));
            }

            var identity = new ClaimsIdentity([new Claim(ApiKeyClaim, "true"), new Claim(ClaimTypes.Name, "admin API key")], ApiKeyScheme);
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), ApiKeyScheme)));
        }

        private static bool KeyMatches(string? given, string? expected)
        {
            if (string.IsNullOrEmpty(given) || string.IsNullOrEmpty(expected))
            {
                return false;
            }

            // Hashing first makes the comparison constant-time whatever the lengths.
            return CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
        }
    }
}
