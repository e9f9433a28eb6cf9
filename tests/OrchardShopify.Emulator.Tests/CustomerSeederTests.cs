using OrchardShopify.Emulator.Customers;
using OrchardShopify.Emulator.Tests.Infrastructure;

namespace OrchardShopify.Emulator.Tests;

public sealed class CustomerSeederTests
{
    [Fact]
    public void Seeded_UK_phones_stay_valid_and_distinct_past_100000_customers()
    {
        var shop = new Shop(Emulators.Uk, 1, TimeProvider.System);

        var phones = CustomerSeeder.Generate(shop, 1_000_000, seed: 1).Select(c => c.Phone!).Where((_, i) => i is < 10 or (>= 99_990 and < 100_010) or >= 999_990).ToList();

        Assert.Equal(40, phones.Count);
        Assert.Equal(40, phones.Distinct(StringComparer.Ordinal).Count());
        Assert.All(phones, phone => Assert.True(ShopifyPhone.TryNormalize(phone, out var e164) && e164 == phone, $"{phone} is not a valid E.164 UK number"));
    }
}
