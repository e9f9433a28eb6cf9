using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OrchardShopify.Core.Customers;
using OrchardShopify.Core.ShopifyApi;

namespace OrchardShopify.ShopifyApi.Tests.Integration;

public sealed class AddressMutationClientTests(EmulatorFixture emulator) : IClassFixture<EmulatorFixture>
{
    private readonly ShopifyCustomerClient _customers = new(emulator.Admin);

    [Fact]
    public async Task Address_is_created_updated_made_default_and_deleted_through_the_typed_methods()
    {
        var customer = await _customers.CreateCustomerAsync(emulator.Store, new CustomerProfile("Mary", "Anning", $"mary.{Guid.NewGuid():N}@example.com", null), CancellationToken.None);

        var first = await _customers.CreateAddressAsync(emulator.Store, customer.Id, new ShopifyAddressInput(Address1: "1 Broad St", City: "Lyme Regis", CountryCode: "gb", Zip: "DT7 3QD"), setAsDefault: false, CancellationToken.None);
        var second = await _customers.CreateAddressAsync(emulator.Store, customer.Id, new ShopifyAddressInput(Address1: "2 Cliff Rd", City: "Charmouth", CountryCode: "GB"), setAsDefault: false, CancellationToken.None);
        var edited = await _customers.UpdateAddressAsync(emulator.Store, customer.Id, second.Address!.Id, new ShopifyAddressInput(City: "Charmouth Beach", Zip: "  "), setAsDefault: false, CancellationToken.None);
        var madeDefault = await _customers.UpdateAddressAsync(emulator.Store, customer.Id, second.Address.Id, new ShopifyAddressInput(), setAsDefault: true, CancellationToken.None);
        var afterDefault = await _customers.GetAddressesAsync(emulator.Store, customer.Id, 10, null, CancellationToken.None);
        var deleted = await _customers.DeleteAddressAsync(emulator.Store, customer.Id, first.Address!.Id, CancellationToken.None);
        var afterDelete = await _customers.GetAddressesAsync(emulator.Store, customer.Id, 10, null, CancellationToken.None);

        Assert.True(first.Succeeded);
        Assert.Equal("GB", first.Address.CountryCode);
        Assert.Equal("DT7 3QD", first.Address.Zip);
        Assert.Equal("Charmouth Beach", edited.Address!.City);
        Assert.Equal("2 Cliff Rd", edited.Address.Address1);
        Assert.True(madeDefault.Succeeded);
        Assert.Equal(second.Address.Id, afterDefault.Items.Single(a => a.IsDefault).Id);
        Assert.Equal(first.Address.Id, deleted.DeletedAddressId);
        Assert.Equal(["Charmouth Beach"], afterDelete.Items.Select(a => a.City));
    }

    [Fact]
    public async Task Shopifys_user_errors_come_back_typed_with_the_field_they_are_about()
    {
        var customer = await _customers.CreateCustomerAsync(emulator.Store, new CustomerProfile("Nikola", "Tesla", $"nikola.{Guid.NewGuid():N}@example.com", null), CancellationToken.None);

        var refused = await _customers.CreateAddressAsync(emulator.Store, customer.Id, new ShopifyAddressInput(City: "New York", ProvinceCode: "NY", CountryCode: "US", Zip: "100"), setAsDefault: true, CancellationToken.None);
        var missing = await _customers.DeleteAddressAsync(emulator.Store, customer.Id, "gid://shopify/MailingAddress/1?model_name=CustomerAddress", CancellationToken.None);

        Assert.False(refused.Succeeded);
        Assert.Null(refused.Address);
        var error = Assert.Single(refused.UserErrors);
        Assert.Equal(["address", "zip"], error.Field);
        Assert.Equal("zip", error.FieldName);
        Assert.Equal("Zip is not valid for United States", error.Message);
        Assert.Equal("addressId", Assert.Single(missing.UserErrors).FieldName);
        Assert.Empty((await _customers.GetAddressesAsync(emulator.Store, customer.Id, 10, null, CancellationToken.None)).Items);
    }

    [Fact]
    public async Task A_create_whose_answer_was_lost_is_not_sent_again_when_shopify_already_has_the_address()
    {
        var customer = await _customers.CreateCustomerAsync(emulator.Store, new CustomerProfile("Lost", "Answer", $"lost.{Guid.NewGuid():N}@example.com", null), CancellationToken.None);
        using var losing = new LoseFirstAnswerHandler("CustomerAddressCreate") { InnerHandler = new HttpClientHandler() };
        using var http = new HttpClient(losing) { Timeout = Timeout.InfiniteTimeSpan };
        var options = Options.Create(new ShopifyAdminClientOptions { BaseDelay = TimeSpan.FromMilliseconds(20) });
        var client = new ShopifyCustomerClient(new ShopifyAdminClient(http, emulator.Buckets, new ShopifyAdminResilience(options, TimeProvider.System), NullLogger<ShopifyAdminClient>.Instance));

        var result = await client.CreateAddressAsync(emulator.Store, customer.Id, new ShopifyAddressInput(Address1: "5 Retry Row", City: "Bristol", CountryCode: "GB", Zip: "bs1 4dj"), setAsDefault: false, CancellationToken.None);

        Assert.Equal(1, losing.Lost);
        Assert.True(result.Succeeded);
        Assert.Equal("Bristol", result.Address!.City);
        var stored = emulator.Emulator.Shops[EmulatorFixture.Shop].Find(customer.Id)!;
        Assert.Single(stored.Addresses);
    }

    [Fact]
    public async Task A_delete_whose_answer_was_lost_is_reported_deleted_not_refused_as_missing()
    {
        var customer = await _customers.CreateCustomerAsync(emulator.Store, new CustomerProfile("Lost", "Delete", $"lost.delete.{Guid.NewGuid():N}@example.com", null), CancellationToken.None);
        var kept = await _customers.CreateAddressAsync(emulator.Store, customer.Id, new ShopifyAddressInput(Address1: "1 Keep Lane", City: "Bath", CountryCode: "GB"), setAsDefault: false, CancellationToken.None);
        var gone = await _customers.CreateAddressAsync(emulator.Store, customer.Id, new ShopifyAddressInput(Address1: "2 Gone Lane", City: "Wells", CountryCode: "GB"), setAsDefault: false, CancellationToken.None);
        using var losing = new LoseFirstAnswerHandler("CustomerAddressDelete") { InnerHandler = new HttpClientHandler() };
        using var http = new HttpClient(losing) { Timeout = Timeout.InfiniteTimeSpan };
        var options = Options.Create(new ShopifyAdminClientOptions { BaseDelay = TimeSpan.FromMilliseconds(20) });
        var client = new ShopifyCustomerClient(new ShopifyAdminClient(http, emulator.Buckets, new ShopifyAdminResilience(options, TimeProvider.System), NullLogger<ShopifyAdminClient>.Instance));

        var result = await client.DeleteAddressAsync(emulator.Store, customer.Id, gone.Address!.Id, CancellationToken.None);

        Assert.Equal(1, losing.Lost);
        Assert.True(result.Succeeded, string.Join("; ", result.UserErrors.Select(e => e.Message)));
        Assert.Equal(gone.Address.Id, result.DeletedAddressId);
        var stored = emulator.Emulator.Shops[EmulatorFixture.Shop].Find(customer.Id)!;
        Assert.Equal(["1 Keep Lane"], stored.Addresses.Select(a => a.Address1));
        Assert.NotNull(kept.Address);
    }

    /// <summary>Lets Shopify run the first request of the operation, then drops its answer as a broken connection would.</summary>
    private sealed class LoseFirstAnswerHandler(string operation) : DelegatingHandler
    {
        public int Lost { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
            var response = await base.SendAsync(request, cancellationToken);
            if (Lost == 0 && body.Contains($"\"operationName\":\"{operation}\"", StringComparison.Ordinal))
            {
                Lost++;
                response.Dispose();
                throw new HttpRequestException("The response ended prematurely.");
            }

            return response;
        }
    }
}
