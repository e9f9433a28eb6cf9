using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using OrchardShopify.AspNetCore.Customers;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.AspNetCore.Tests.Support;
using OrchardShopify.Testing.Hosting.Sites;

namespace OrchardShopify.AspNetCore.Tests.Customers;

public sealed class CustomerApiTests(SiteFixture fixture) : IClassFixture<SiteFixture>
{
    private TestSite Site => fixture.Site;

    [Fact]
    public async Task Signed_in_user_reads_only_their_own_customer_orders_and_addresses()
    {
        var steveId = await SteveLastnameson.ArriveAsync(Site, "wh-api-steve");

        // A customer id in the query string is ignored: the link decides.
        using var customer = await GetAsync("/!/shopify/api/customer?store=uk&customerId=999&id=999", steveId);
        using var orders = await GetAsync("/!/shopify/api/customer/orders?store=uk&status=open", steveId);
        using var addresses = await GetAsync("/!/shopify/api/customer/addresses?store=uk", steveId);

        Assert.Equal(HttpStatusCode.OK, customer.StatusCode);
        using var view = JsonDocument.Parse(await customer.Content.ReadAsStringAsync());
        Assert.Equal(SteveLastnameson.CustomerId, view.RootElement.GetProperty("id").GetInt64());
        Assert.Equal(SteveLastnameson.Email, view.RootElement.GetProperty("email").GetString());

        using var orderPage = JsonDocument.Parse(await orders.Content.ReadAsStringAsync());
        Assert.Equal($"#{SteveLastnameson.CustomerId}", orderPage.RootElement.GetProperty("items")[0].GetProperty("name").GetString());
        Assert.Equal("cursor-2", orderPage.RootElement.GetProperty("endCursor").GetString());
        Assert.Contains($"orders {SteveLastnameson.CustomerId} Open ", Site.Shopify.Calls);

        using var addressPage = JsonDocument.Parse(await addresses.Content.ReadAsStringAsync());
        Assert.Equal("Ottawa", addressPage.RootElement.GetProperty("items")[0].GetProperty("city").GetString());
        Assert.DoesNotContain(Site.Shopify.Calls, c => c.Contains("999", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Unlinked_user_gets_404_with_a_reason_and_anonymous_gets_401()
    {
        var other = new IdentityUser { UserName = "other@example.com", Email = "other@example.com", EmailConfirmed = true };
        await Site.WithUsersAsync(users => users.CreateAsync(other));

        using var unlinked = await GetAsync("/!/shopify/api/customer?store=uk", other.Id);
        using var anonymous = await GetAsync("/!/shopify/api/customer?store=uk", userId: null);
        using var unknownStore = await GetAsync("/!/shopify/api/customer?store=mars", other.Id);

        Assert.Equal(HttpStatusCode.NotFound, unlinked.StatusCode);
        Assert.Equal("not_linked", JsonDocument.Parse(await unlinked.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, unknownStore.StatusCode);
    }

    [Fact]
    public async Task Order_status_that_is_a_number_or_unknown_is_refused_before_shopify_is_called()
    {
        var steveId = await SteveLastnameson.ArriveAsync(Site, "wh-api-status");
        var callsBefore = Site.Shopify.Calls.Count(c => c.StartsWith("orders ", StringComparison.Ordinal));

        using var numeric = await GetAsync("/!/shopify/api/customer/orders?store=uk&status=1", steveId);
        using var unknown = await GetAsync("/!/shopify/api/customer/orders?store=uk&status=pending", steveId);

        Assert.Equal(HttpStatusCode.BadRequest, numeric.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Equal("invalid_status", JsonDocument.Parse(await unknown.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString());
        Assert.Equal(callsBefore, Site.Shopify.Calls.Count(c => c.StartsWith("orders ", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("orders", "not a cursor")]
    [InlineData("orders", "eyJsYXN0X2lkIjo0NTU~eyJsYXN0")]
    [InlineData("addresses", "<script>alert(1)</script>")]
    [InlineData("addresses", null)]
    public async Task A_malformed_page_cursor_is_refused_with_a_reason_before_shopify_is_called(string part, string? cursor)
    {
        cursor ??= new string('A', InvalidCursorException.MaxLength + 1);
        var steveId = await SteveLastnameson.ArriveAsync(Site, $"wh-api-cursor-{part}-{cursor.Length}");
        var callsBefore = Site.Shopify.Calls.Count;

        using var response = await GetAsync($"/!/shopify/api/customer/{part}?store=uk&page={Uri.EscapeDataString(cursor)}", steveId);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("invalid_page", error.RootElement.GetProperty("error").GetString());
        Assert.StartsWith("page: ", error.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(callsBefore, Site.Shopify.Calls.Count);
    }

    [Fact]
    public async Task Cached_customer_is_read_again_after_that_customers_webhook()
    {
        var steveId = await SteveLastnameson.ArriveAsync(Site, "wh-cache-steve");
        (await GetAsync("/!/shopify/api/customer?store=uk", steveId)).Dispose();
        var reads = ViewReads();

        (await GetAsync("/!/shopify/api/customer?store=uk", steveId)).Dispose();
        Assert.Equal(reads, ViewReads());

        using var update = await Site.PostWebhookAsync("/!/shopify/webhook/customer/update", "customers/update", SteveLastnameson.CreatePayload, "wh-cache-update");
        await TestSite.EventuallyAsync(async () => (await Site.ItemsWithWebhookIdAsync("wh-cache-update")).Single().Status == WorkStatus.Succeeded, "the update is applied");
        (await GetAsync("/!/shopify/api/customer?store=uk", steveId)).Dispose();

        Assert.Equal(reads + 1, ViewReads());
    }

    private int ViewReads() => Site.Shopify.Calls.Count(c => c == $"view {SteveLastnameson.CustomerId}");

    private Task<HttpResponseMessage> GetAsync(string path, string? userId)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (userId is not null)
        {
            request.Headers.Add(TestAuthentication.UserHeader, userId);
        }

        return Site.Http.SendAsync(request);
    }
}
