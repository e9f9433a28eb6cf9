using System.Net;
using Microsoft.Extensions.Options;
using OrchardShopify.Core.Customers;
using OrchardShopify.Core.ShopifyApi;
using OrchardShopify.ShopifyApi.Tests.Support;

namespace OrchardShopify.ShopifyApi.Tests;

public sealed class RateLimitAndFaultTests
{
    private static readonly string NoCustomer = """{"customer":null}""";

    [Fact]
    public async Task Bucket_waits_before_sending_when_the_store_reports_too_few_points()
    {
        var time = new ObservedTimeProvider();
        // The first answer leaves 1 point restoring at 100/s; the next call (4 points: the customer with its signals) must wait 30 ms.
        var stub = new ShopifyStub((_, n) => ShopifyStub.Data(NoCustomer, requested: 4, actual: 4, available: n == 1 ? 1 : 1997));
        using var shopify = new TestShopify(stub, time);
        await shopify.Customers.GetCustomerAsync(shopify.Store, 1, CancellationToken.None);

        var second = shopify.Customers.GetCustomerAsync(shopify.Store, 2, CancellationToken.None);

        await Eventually.True(() => time.HasTimerDueIn(TimeSpan.FromMilliseconds(30)), "the bucket waits 30 ms");
        Assert.Single(stub.Sent);
        time.Advance(TimeSpan.FromMilliseconds(29));
        await Eventually.StillFalse(() => stub.Sent.Count > 1);
        time.Advance(TimeSpan.FromMilliseconds(1));
        await second;
        Assert.Equal(2, stub.Sent.Count);
    }

    [Fact]
    public async Task Bucket_is_shared_by_every_client_of_the_same_store_and_token()
    {
        var time = new ObservedTimeProvider();
        var stub = new ShopifyStub((_, _) => ShopifyStub.Data(NoCustomer, available: 0));
        using var shopify = new TestShopify(stub, time);
        var otherClient = new ShopifyCustomerClient(shopify.Admin);
        await shopify.Customers.GetCustomerAsync(shopify.Store, 1, CancellationToken.None);

        var fromOther = otherClient.GetCustomerAsync(TestShopify.StoreFor("uk", "orchard-uk.myshopify.com"), 2, CancellationToken.None);

        await Eventually.True(() => time.HasTimerDueIn(TimeSpan.FromMilliseconds(40)), "the shared bucket makes the other client wait");
        time.Advance(TimeSpan.FromMilliseconds(40));
        await fromOther;
        Assert.Equal(2, stub.Sent.Count);
    }

    [Fact]
    public async Task Actual_cost_below_the_estimate_is_refunded_when_no_status_is_reported()
    {
        var stub = new ShopifyStub((_, _) => ShopifyStub.Json("""{"data":{"customers":{"nodes":[],"pageInfo":{"hasNextPage":false,"endCursor":null}}},"extensions":{"cost":{"requestedQueryCost":752,"actualQueryCost":2}}}"""));
        using var shopify = new TestShopify(stub, new ObservedTimeProvider());

        await foreach (var unused in shopify.Customers.GetCustomersUpdatedSinceAsync(shopify.Store, DateTimeOffset.UnixEpoch, CancellationToken.None))
        {
        }

        Assert.Equal(ThrottleBucketInitial - 2, shopify.Buckets.For(shopify.Store).Available, precision: 3);
    }

    [Fact]
    public async Task Throttled_200_is_retried_once_the_bucket_has_refilled()
    {
        var time = new ObservedTimeProvider();
        var stub = new ShopifyStub((_, n) => n == 1
            ? ShopifyStub.Throttled(requested: 4, available: 0, restoreRate: 50)
            : ShopifyStub.Data("""{"customer":null}"""));
        using var shopify = new TestShopify(stub, time);

        var call = shopify.Customers.GetCustomerAsync(shopify.Store, 1, CancellationToken.None);

        // 4 points (the customer with its signals) at 50/s: 80 ms.
        await Eventually.True(() => time.HasTimerDueIn(TimeSpan.FromMilliseconds(80)), "the retry waits for the bucket");
        Assert.Single(stub.Sent);
        time.Advance(TimeSpan.FromMilliseconds(80));
        Assert.Null(await call);
        Assert.Equal(2, stub.Sent.Count);
    }

    [Fact]
    public async Task Retry_after_of_one_and_a_half_seconds_is_honoured()
    {
        var time = new ObservedTimeProvider();
        var stub = new ShopifyStub((_, n) =>
        {
            if (n > 1)
            {
                return ShopifyStub.Data(NoCustomer);
            }

            var limited = ShopifyStub.Json("""{"errors":"Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service."}""", HttpStatusCode.TooManyRequests);
            limited.Headers.TryAddWithoutValidation("Retry-After", "1.5");
            return limited;
        });
        using var shopify = new TestShopify(stub, time);

        var call = shopify.Customers.GetCustomerAsync(shopify.Store, 1, CancellationToken.None);

        await Eventually.True(() => time.HasTimerDueIn(TimeSpan.FromSeconds(1.5)), "the retry waits for Retry-After");
        time.Advance(TimeSpan.FromMilliseconds(1499));
        await Eventually.StillFalse(() => stub.Sent.Count > 1);
        time.Advance(TimeSpan.FromMilliseconds(1));
        await call;
        Assert.Equal(2, stub.Sent.Count);
    }

    [Fact]
    public async Task Server_errors_are_retried_then_reported_as_transient_naming_store_and_operation()
    {
        var stub = new ShopifyStub((_, _) => ShopifyStub.Json("""{"errors":"Internal Server Error"}""", HttpStatusCode.BadGateway));
        using var shopify = new TestShopify(stub, configure: o => o.MaxAttempts = 3);

        var error = await Assert.ThrowsAsync<ShopifyApiException>(() => shopify.Customers.GetCustomerAsync(shopify.Store, 1, CancellationToken.None));

        Assert.Equal(3, stub.Sent.Count);
        Assert.True(error.IsTransient);
        Assert.Equal("uk", error.StoreHandle);
        Assert.Equal("CustomerById", error.Operation);
        Assert.Contains("uk", error.Message, StringComparison.Ordinal);
        Assert.Contains("CustomerById", error.Message, StringComparison.Ordinal);
        Assert.Contains("502", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Server_error_then_success_returns_the_result()
    {
        var stub = new ShopifyStub((_, n) => n == 1 ? ShopifyStub.Json("{}", HttpStatusCode.ServiceUnavailable) : ShopifyStub.Data(NoCustomer));
        using var shopify = new TestShopify(stub);

        Assert.Null(await shopify.Customers.GetCustomerAsync(shopify.Store, 1, CancellationToken.None));
        Assert.Equal(2, stub.Sent.Count);
    }

    [Fact]
    public async Task Create_that_timed_out_is_looked_up_by_email_and_not_sent_again()
    {
        var stub = new ShopifyStub((sent, _) => sent.OperationName switch
        {
            // Shopify created the customer, but the answer never arrived.
            "CustomerCreate" => throw new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout.", new TimeoutException()),
            "CustomerSearch" => ShopifyStub.Data($$"""{"customers":{"nodes":[{{ShopifyJson.Customer(77, "Ada", "Lovelace", "ada@example.com", null)}}]} }"""),
            _ => throw new InvalidOperationException(sent.OperationName),
        });
        using var shopify = new TestShopify(stub);

        var created = await shopify.Customers.CreateCustomerAsync(shopify.Store, new CustomerProfile("Ada", "Lovelace", "ada@example.com", null), CancellationToken.None);

        Assert.Equal(77, created.Id);
        Assert.Equal(["CustomerCreate", "CustomerSearch"], stub.Sent.Select(s => s.OperationName));
    }

    [Fact]
    public async Task Create_that_failed_before_reaching_shopify_is_sent_again_after_the_lookup_finds_nothing()
    {
        var creates = 0;
        var stub = new ShopifyStub((sent, _) => sent.OperationName switch
        {
            "CustomerCreate" when ++creates == 1 => throw new HttpRequestException("Connection reset by peer"),
            "CustomerCreate" => ShopifyStub.Data($$"""{"customerCreate":{"customer":{{ShopifyJson.Customer(78, "Ada", null, "ada@example.com", null)}},"userErrors":[]} }"""),
            "CustomerSearch" => ShopifyStub.Data("""{"customers":{"nodes":[]}}"""),
            _ => throw new InvalidOperationException(sent.OperationName),
        });
        using var shopify = new TestShopify(stub);

        var created = await shopify.Customers.CreateCustomerAsync(shopify.Store, new CustomerProfile("Ada", null, "ada@example.com", null), CancellationToken.None);

        Assert.Equal(78, created.Id);
        Assert.Equal(["CustomerCreate", "CustomerSearch", "CustomerCreate"], stub.Sent.Select(s => s.OperationName));
    }

    [Fact]
    public async Task Throttled_create_is_retried_without_a_lookup_because_shopify_did_not_run_it()
    {
        var stub = new ShopifyStub((sent, n) => n == 1
            ? ShopifyStub.Throttled(requested: 10, available: 1000)
            : ShopifyStub.Data($$"""{"customerCreate":{"customer":{{ShopifyJson.Customer(79, "Ada", null, "ada@example.com", null)}},"userErrors":[]} }"""));
        using var shopify = new TestShopify(stub);

        await shopify.Customers.CreateCustomerAsync(shopify.Store, new CustomerProfile("Ada", null, "ada@example.com", null), CancellationToken.None);

        Assert.Equal(["CustomerCreate", "CustomerCreate"], stub.Sent.Select(s => s.OperationName));
    }

    [Fact]
    public async Task Graphql_errors_other_than_throttling_fail_at_once_with_shopifys_message()
    {
        var stub = new ShopifyStub((_, _) => ShopifyStub.Json("""{"errors":[{"message":"Access denied for customers field. Required access: `read_customers` access scope.","extensions":{"code":"ACCESS_DENIED"}}],"data":{"customer":null}}"""));
        using var shopify = new TestShopify(stub);

        var error = await Assert.ThrowsAsync<ShopifyApiException>(() => shopify.Customers.GetCustomerAsync(shopify.Store, 1, CancellationToken.None));

        Assert.False(error.IsTransient);
        Assert.Contains("read_customers", error.ShopifyMessage, StringComparison.Ordinal);
        Assert.Single(stub.Sent);
    }

    [Theory]
    [InlineData(HttpStatusCode.Unauthorized)]
    [InlineData(HttpStatusCode.InternalServerError)]
    public async Task Access_token_never_appears_in_errors(HttpStatusCode status)
    {
        var stub = new ShopifyStub((sent, _) => ShopifyStub.Json($$"""{"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"}""", status));
        using var shopify = new TestShopify(stub, configure: o => o.MaxAttempts = 2);

        var error = await Assert.ThrowsAnyAsync<ShopifyApiException>(() => shopify.Customers.GetCustomerAsync(shopify.Store, 1, CancellationToken.None));

        Assert.DoesNotContain(TestShopify.Token, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(TestShopify.Token, shopify.Store.ToString(), StringComparison.Ordinal);
        Assert.Equal(TestShopify.Token, stub.Sent[0].AccessToken);
    }

    [Fact]
    public async Task One_attempt_sends_once_and_gives_up_on_a_server_error()
    {
        var stub = new ShopifyStub((_, _) => ShopifyStub.Json("""{"errors":"Internal error"}""", HttpStatusCode.InternalServerError));
        using var shopify = new TestShopify(stub, configure: o => o.MaxAttempts = 1);

        var error = await Assert.ThrowsAsync<ShopifyApiException>(() => shopify.Customers.GetCustomerAsync(shopify.Store, 1, CancellationToken.None));

        Assert.True(error.IsTransient);
        Assert.Single(stub.Sent);
    }

    [Fact]
    public void Zero_attempts_is_refused_with_the_setting_named()
    {
        var error = Assert.Throws<OptionsValidationException>(() =>
            new ShopifyAdminResilience(Options.Create(new ShopifyAdminClientOptions { MaxAttempts = 0 }), TimeProvider.System));

        Assert.Contains("Shopify:AdminClient:MaxAttempts", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Store_without_a_token_is_refused_before_sending()
    {
        var stub = new ShopifyStub((_, _) => ShopifyStub.Data(NoCustomer));
        using var shopify = new TestShopify(stub);

        var error = await Assert.ThrowsAsync<ShopifyApiException>(() =>
            shopify.Customers.GetCustomerAsync(TestShopify.StoreFor("us", "orchard-us.myshopify.com", token: ""), 1, CancellationToken.None));

        Assert.Contains("access token", error.Message, StringComparison.Ordinal);
        Assert.Empty(stub.Sent);
    }

    private const double ThrottleBucketInitial = 1000;
}
