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
}
