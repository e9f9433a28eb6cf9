using System.Text.Json;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrchardShopify.AspNetCore.Admin;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.ShopifyApi;

namespace OrchardShopify.AspNetCore.Customers;

/// <summary>
/// <c>POST /!/shopify/account/addresses</c>: the HTML form behind the Liquid <c>shopify_address_form</c> block (and any
/// page that posts a plain form). Same rules as the JSON: the signed-in user's own link, an address of that customer,
/// a confirmed identity; plus the site's origin and the antiforgery token posted in the form. The answer is a redirect
/// back to <c>return_url</c> (a local path) with the outcome, Shopify's field errors and the posted values in a
/// short-lived protected cookie, read once by the page (<see cref="Read"/>), so a bad field loses nothing.
/// </summary>
public static partial class CustomerAddressForms
{
    /// <summary>The path under the sync's prefix.</summary>
    public const string Path = "/account/addresses";

    /// <summary>The form field names (snake_case), in the order a form shows them.</summary>
    public static IReadOnlyList<string> FieldNames { get; } =
        ["first_name", "last_name", "company", "address1", "address2", "city", "province_code", "country_code", "zip", "phone"];

    internal const string CookieName = ".shopify-address-form";
    private const string Purpose = "OrchardShopify.AddressForm.v1";
    private static readonly object ItemsKey = new();

    internal static IEndpointConventionBuilder MapCustomerAddressForms(this IEndpointRouteBuilder endpoints, string prefix)
        => endpoints.MapPost(prefix + Path, HandleAsync).DisableAntiforgery().WithTags("Shopify customer");

    /// <summary>The field name a form uses for a <c>MailingAddressInput</c> field (<c>provinceCode</c> → <c>province_code</c>).</summary>
    public static string FormName(string inputField) => inputField switch
    {
        "firstName" => "first_name",
        "lastName" => "last_name",
        "provinceCode" => "province_code",
        "countryCode" => "country_code",
        "address" => "address",
        _ => inputField,
    };

    /// <summary>
    /// The outcome of the form posted just before this request, if any: read once (the cookie is removed with this
    /// response) and kept for the rest of the request, so several forms on one page can each look at it.
    /// </summary>
    public static AddressFormOutcome? Read(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (http.Items.TryGetValue(ItemsKey, out var cached))
        {
            return cached as AddressFormOutcome;
        }

        AddressFormOutcome? outcome = null;
        if (http.Request.Cookies.TryGetValue(CookieName, out var protectedValue) && !string.IsNullOrEmpty(protectedValue))
        {
            try
            {
                // Protected for the user who posted: someone else signed in on the same browser within the cookie's
                // five minutes (or nobody) cannot read what that user posted.
                var json = CustomerApiEndpoints.UserId(http) is { } userId ? Protector(http, userId).Unprotect(protectedValue) : null;
                outcome = json is null ? null : JsonSerializer.Deserialize<AddressFormOutcome>(json);
            }
            catch (Exception ex) when (ex is System.Security.Cryptography.CryptographicException or JsonException or FormatException)
            {
                outcome = null;
            }

            if (!http.Response.HasStarted)
            {
                http.Response.Cookies.Delete(CookieName, new CookieOptions { Path = CookiePath(http) });
            }
        }

        http.Items[ItemsKey] = outcome;
        return outcome;
    }

    private static async Task<IResult> HandleAsync(HttpContext http, CustomerAddressService service, ILoggerFactory loggers)
    {
        if (ShopifyAdminAuthorization.RefuseCrossOrigin(http, "post the form from the site's own page.") is { } crossOrigin)
        {
            return crossOrigin;
        }

        if (!http.Request.HasFormContentType)
        {
            return AdminJson.Error("unsupported_media_type", $"Post the address form as application/x-www-form-urlencoded or multipart/form-data (was '{http.Request.ContentType}').", StatusCodes.Status415UnsupportedMediaType);
        }

        if (!await http.RequestServices.GetRequiredService<IAntiforgery>().IsRequestValidAsync(http))
        {
            return AdminJson.Error("antiforgery_token_missing", "The address form needs the site's antiforgery token; reload the page and post it again.");
        }

        var userId = CustomerApiEndpoints.UserId(http);
        if (userId is null)
        {
            return AdminJson.Error("not_signed_in", "Sign in to change your addresses.", StatusCodes.Status401Unauthorized);
        }

        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        string? Field(string name) => form.TryGetValue(name, out var value) ? value.ToString() : null;
        var store = Field("store");
        var intent = (Field("intent") ?? "").Trim().ToUpperInvariant();
        var addressId = Field("address_id")?.Trim();
        var setAsDefault = form.TryGetValue("set_as_default", out var flag) && flag.Any(v => v is "true" or "on" or "1");
        var input = new ShopifyAddressInput(
            Field("first_name"), Field("last_name"), Field("company"), Field("address1"), Field("address2"),
            Field("city"), Field("province_code"), Field("country_code"), Field("zip"), Field("phone"));
        var values = FieldNames.Where(n => !string.IsNullOrEmpty(Field(n))).ToDictionary(n => n, n => Truncate(Field(n)!), StringComparer.Ordinal);

        AddressChangeResult result;
        try
        {
            result = intent switch
            {
                "CREATE" => await service.CreateAsync(userId, store, input, setAsDefault, http.RequestAborted),
                "UPDATE" => await service.UpdateAsync(userId, store, addressId ?? "", input, setAsDefault, http.RequestAborted),
                "DELETE" => await service.DeleteAsync(userId, store, addressId ?? "", http.RequestAborted),
                "DEFAULT" => await service.SetDefaultAsync(userId, store, addressId ?? "", http.RequestAborted),
                _ => throw new AddressFormException($"intent must be create, update, delete or default (was '{Field("intent")}')."),
            };
        }
        catch (AddressFormException ex)
        {
            return AdminJson.Error("invalid_intent", ex.Message);
        }
        catch (UnknownStoreException ex)
        {
            return AdminJson.Error("unknown_store", ex.Message);
        }
        catch (ShopifyApiException ex)
        {
            Log.FormFailed(loggers.CreateLogger(typeof(CustomerAddressForms)), store, ex);
            result = new AddressChangeResult(AddressChangeStatus.Invalid, store ?? "", null, null, [new ShopifyFieldError(["address"], "Shopify could not be reached just now, so the change may not have been made: reload the page to see your addresses as Shopify has them, then try again if needed")]);
        }

        var outcome = new AddressFormOutcome
        {
            Store = result.StoreHandle,
            Intent = intent.ToLowerInvariant(),
            AddressId = intent == "CREATE" ? "" : CustomerAddressService.ParseAddressId(addressId)?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? addressId ?? "",
            Succeeded = result.Succeeded,
            Message = MessageOf(result, intent),
            Errors = result.Status == AddressChangeStatus.Invalid
                ? result.ErrorsByField.ToDictionary(e => FormName(e.Key), e => string.Join(" ", e.Value), StringComparer.Ordinal)
                : [],
            Values = result.Succeeded ? [] : values,
        };
        http.Response.Cookies.Append(CookieName, Protect(http, userId, outcome), new CookieOptions
        {
            HttpOnly = true,
            IsEssential = true,
            SameSite = SameSiteMode.Lax,
            Secure = http.Request.IsHttps,
            Path = CookiePath(http),
            MaxAge = TimeSpan.FromMinutes(5),
        });
        return Results.Redirect(LocalReturnUrl(http, Field("return_url")), permanent: false, preserveMethod: false);
    }

    private static string MessageOf(AddressChangeResult result, string intent) => result.Status switch
    {
        AddressChangeStatus.Saved => intent switch
        {
            "CREATE" => "Address added.",
            "DELETE" => "Address deleted.",
            "DEFAULT" => "Default address changed.",
            _ => "Address saved.",
        },
        AddressChangeStatus.Invalid => "Shopify did not accept the address; see the fields marked.",
        AddressChangeStatus.NotLinked => $"Your account is not linked to a customer of store '{result.StoreHandle}'.",
        AddressChangeStatus.Unverified => "Confirm your email address before changing your Shopify addresses.",
        _ => result.Errors[0].Message + ".",
    };

    /// <summary>Only a path on this site: anything else (another host, <c>//host</c>, <c>/\host</c>) goes to the site's root.</summary>
    internal static string LocalReturnUrl(HttpContext http, string? returnUrl)
    {
        var root = http.Request.PathBase.HasValue ? http.Request.PathBase.Value! : "/";
        if (string.IsNullOrEmpty(returnUrl) || returnUrl[0] != '/' || (returnUrl.Length > 1 && returnUrl[1] is '/' or '\\') || returnUrl.Any(char.IsControl))
        {
            return root;
        }

        return returnUrl;
    }

    private static string CookiePath(HttpContext http) => http.Request.PathBase.HasValue ? http.Request.PathBase.Value! : "/";

    /// <summary>The outcome as the cookie holds it: readable only for <paramref name="userId"/> (<see cref="Read"/>).</summary>
    internal static string Protect(HttpContext http, string userId, AddressFormOutcome outcome)
        => Protector(http, userId).Protect(JsonSerializer.Serialize(outcome));

    private static IDataProtector Protector(HttpContext http, string userId) => http.RequestServices.GetRequiredService<IDataProtectionProvider>().CreateProtector(Purpose, userId);

    private static string Truncate(string value) => value.Length > CustomerAddressService.MaxFieldLength ? value[..CustomerAddressService.MaxFieldLength] : value;

    private sealed class AddressFormException(string message) : Exception(message);

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "An address form for store {Store} could not be sent to Shopify")]
        public static partial void FormFailed(ILogger logger, string? store, Exception exception);
    }
}

/// <summary>What the last address form did, as the page after the redirect shows it.</summary>
public sealed record AddressFormOutcome
{
    public string Store { get; init; } = "";

    /// <summary><c>create</c>, <c>update</c>, <c>delete</c> or <c>default</c>.</summary>
    public string Intent { get; init; } = "";

    /// <summary>The numeric id of the address the form was for; empty for a new address.</summary>
    public string AddressId { get; init; } = "";

    public bool Succeeded { get; init; }

    public string Message { get; init; } = "";

    /// <summary>Messages by form field (<c>zip</c>, <c>country_code</c>; <c>address</c> for the whole address).</summary>
    public IReadOnlyDictionary<string, string> Errors { get; init; } = new Dictionary<string, string>();

    /// <summary>The values posted with a form that failed, so the page shows them again.</summary>
    public IReadOnlyDictionary<string, string> Values { get; init; } = new Dictionary<string, string>();

    /// <summary>Whether the outcome belongs to the form of <paramref name="store"/> and <paramref name="addressId"/> (empty: the new-address form).</summary>
    public bool IsFor(string? store, string? addressId)
    {
        var id = string.IsNullOrEmpty(addressId) ? "" : CustomerAddressService.ParseAddressId(addressId)?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? addressId;
        return string.Equals(Store, store ?? Store, StringComparison.OrdinalIgnoreCase) && string.Equals(AddressId, id, StringComparison.Ordinal);
    }
}
