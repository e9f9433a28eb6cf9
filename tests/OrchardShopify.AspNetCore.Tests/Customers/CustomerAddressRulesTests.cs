using System.Security.Claims;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OrchardShopify.AspNetCore.Customers;
using OrchardShopify.Core.ShopifyApi;

namespace OrchardShopify.AspNetCore.Tests.Customers;

public sealed class CustomerAddressRulesTests
{
    [Theory]
    [InlineData("123", 123L)]
    [InlineData(" 123 ", 123L)]
    [InlineData("gid://shopify/MailingAddress/123?model_name=CustomerAddress", 123L)]
    [InlineData("gid://shopify/MailingAddress/123", 123L)]
    [InlineData("gid://shopify/Customer/123", null)]
    [InlineData("0", null)]
    [InlineData("-5", null)]
    [InlineData("12 3", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void Address_ids_are_the_number_or_the_global_id_of_a_mailing_address(string? given, long? expected)
        => Assert.Equal(expected, CustomerAddressService.ParseAddressId(given));

    [Fact]
    public void A_forms_outcome_with_the_posted_values_is_shown_only_to_the_user_who_posted_it()
    {
        using var services = new ServiceCollection().AddDataProtection().Services.BuildServiceProvider();
        var posted = new AddressFormOutcome { Store = "uk", Intent = "create", Message = "Shopify did not accept the address", Values = new Dictionary<string, string> { ["address1"] = "10 Private Rd" } };
        var cookie = CustomerAddressForms.Protect(Http(services, "user-a", null), "user-a", posted);

        var nextUser = CustomerAddressForms.Read(Http(services, "user-b", cookie));
        var signedOut = CustomerAddressForms.Read(Http(services, null, cookie));
        var poster = CustomerAddressForms.Read(Http(services, "user-a", cookie));

        Assert.Null(nextUser);
        Assert.Null(signedOut);
        Assert.Equal("10 Private Rd", poster!.Values["address1"]);
    }

    private static DefaultHttpContext Http(IServiceProvider services, string? userId, string? cookie)
    {
        var http = new DefaultHttpContext
        {
            RequestServices = services,
            User = new ClaimsPrincipal(userId is null ? new ClaimsIdentity() : new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, userId)], "Test")),
        };
        if (cookie is not null)
        {
            http.Request.Headers.Cookie = $"{CustomerAddressForms.CookieName}={cookie}";
        }

        return http;
    }

    [Fact]
    public void A_new_address_needs_a_first_line_and_a_two_letter_country_and_nothing_too_long()
    {
        var missing = CustomerAddressService.Validate(new ShopifyAddressInput(City: "Leeds"), creating: true);
        var badCountry = CustomerAddressService.Validate(new ShopifyAddressInput(Address1: "1 Way", CountryCode: "GBR"), creating: true);
        var tooLong = CustomerAddressService.Validate(new ShopifyAddressInput(Address1: new string('a', 256), CountryCode: "gb"), creating: true);
        var fine = CustomerAddressService.Validate(new ShopifyAddressInput(Address1: "1 Way", CountryCode: "gb"), creating: true);

        Assert.Equal(["address1", "countryCode"], missing.Select(e => e.FieldName));
        Assert.Equal("Country must be a two-letter country code (such as GB or US)", Assert.Single(badCountry).Message);
        Assert.Equal("Address is too long (maximum is 255 characters)", Assert.Single(tooLong).Message);
        Assert.Empty(fine);
    }

    [Fact]
    public void An_edit_with_every_field_blank_is_refused_instead_of_sent()
    {
        var errors = CustomerAddressService.Validate(new ShopifyAddressInput(City: "  ", Zip: ""), creating: false);

        var error = Assert.Single(errors);
        Assert.Null(error.FieldName);
        Assert.Empty(new ShopifyAddressInput(City: "  ", Zip: "").ToGraphQL());
    }

    [Theory]
    [InlineData("/account", "/account")]
    [InlineData("/account?x=1#store-uk", "/account?x=1#store-uk")]
    [InlineData("https://evil.example/", "/")]
    [InlineData("//evil.example/", "/")]
    [InlineData("/\\evil.example/", "/")]
    [InlineData("account", "/")]
    [InlineData(null, "/")]
    public void The_form_redirects_only_to_a_path_of_this_site(string? returnUrl, string expected)
        => Assert.Equal(expected, CustomerAddressForms.LocalReturnUrl(new DefaultHttpContext(), returnUrl));
}
