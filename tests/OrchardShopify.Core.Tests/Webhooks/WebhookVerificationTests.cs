using System.Text;
using Microsoft.Extensions.Primitives;
using OrchardShopify.Core.Webhooks;

namespace OrchardShopify.Core.Tests.Webhooks;

public sealed class WebhookVerificationTests
{
    private static readonly byte[] Body = SyncHarness.Payload("customers-create-steve-lastnameson.json");

    private static Dictionary<string, StringValues> ValidHeaders(byte[]? body = null, string secret = SyncHarness.UkSecret)
        => SyncHarness.Headers("customers/create", SyncHarness.UkDomain, secret, body ?? Body, "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043", DateTimeOffset.Parse("2026-11-20T10:00:00.123Z", System.Globalization.CultureInfo.InvariantCulture));

    private static WebhookVerificationException Refusal(Action verify) => Assert.Throws<WebhookVerificationException>(verify);

    [Fact]
    public void A_signed_delivery_becomes_a_typed_delivery()
    {
        using var harness = SyncHarness.MultiStore();

        var delivery = harness.Verifier.Verify(ValidHeaders(), Body, expectedTopic: "customers/create");

        Assert.Equal("customers/create", delivery.Topic);
        Assert.Equal("uk", delivery.Store.Handle);
        Assert.Equal("b54557e4-bdd9-4b37-8a5f-bf7d70bcd043", delivery.WebhookId);
        Assert.Equal("2026-10", delivery.ApiVersion);
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 10, 0, 0, 123, TimeSpan.Zero), delivery.TriggeredAt);
        Assert.NotNull(delivery.EventId);
        Assert.True(delivery.Body.Span.SequenceEqual(Body));
    }

    [Fact]
    public void Header_names_are_case_insensitive_as_http2_lowercases_them()
    {
        using var harness = SyncHarness.SingleStore();
        var lower = ValidHeaders().ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value);

        Assert.Equal("uk", harness.Verifier.Verify(lower, Body).Store.Handle);
    }

    [Fact]
    public void Flipping_any_single_bit_of_the_body_fails_verification()
    {
        using var harness = SyncHarness.SingleStore();
        var headers = ValidHeaders();
        var failures = 0;
        for (var i = 0; i < Body.Length; i++)
        {
            for (var bit = 0; bit < 8; bit++)
            {
                var tampered = (byte[])Body.Clone();
                tampered[i] ^= (byte)(1 << bit);
                var ex = Assert.Throws<WebhookVerificationException>(() => harness.Verifier.Verify(headers, tampered));
                Assert.Equal(WebhookFailureReason.InvalidSignature, ex.Reason);
                failures++;
            }
        }

        Assert.Equal(Body.Length * 8, failures);
    }

    [Fact]
    public void Flipping_any_single_bit_of_the_signature_fails_verification()
    {
        var signature = Convert.FromBase64String(WebhookSignature.Compute(Body, SyncHarness.UkSecret));
        for (var i = 0; i < signature.Length; i++)
        {
            for (var bit = 0; bit < 8; bit++)
            {
                var tampered = (byte[])signature.Clone();
                tampered[i] ^= (byte)(1 << bit);
                Assert.False(WebhookSignature.Verify(Body, Convert.ToBase64String(tampered), SyncHarness.UkSecret));
            }
        }

        Assert.True(WebhookSignature.Verify(Body, Convert.ToBase64String(signature), SyncHarness.UkSecret));
    }

    [Fact]
    public void Signature_is_computed_over_the_raw_bytes_so_non_ascii_names_verify()
    {
        using var harness = SyncHarness.SingleStore();
        var body = Encoding.UTF8.GetBytes("""{"id":1073339470,"first_name":"Zoë","last_name":"Ñúñez-Øster 山田","email":"zoe@example.com"}""");

        var delivery = harness.Verifier.Verify(ValidHeaders(body), body);

        Assert.Equal("uk", delivery.Store.Handle);
    }

    [Fact]
    public void The_previous_secret_is_accepted_during_rotation_and_other_secrets_are_not()
    {
        using var harness = SyncHarness.SingleStore(o =>
        {
            o.Stores["uk"].PreviousWebhookSecret = "old-secret";
        });

        Assert.Equal("uk", harness.Verifier.Verify(ValidHeaders(secret: "old-secret"), Body).Store.Handle);
        var ex = Refusal(() => harness.Verifier.Verify(ValidHeaders(secret: "never-configured"), Body));
        Assert.Equal(WebhookFailureReason.InvalidSignature, ex.Reason);
        Assert.Equal(401, ex.StatusCode);
    }

    [Fact]
    public void A_store_signed_with_another_stores_secret_is_refused()
    {
        using var harness = SyncHarness.MultiStore();
        var headers = SyncHarness.Headers("customers/create", SyncHarness.UsDomain, SyncHarness.UkSecret, Body);

        Assert.Equal(WebhookFailureReason.InvalidSignature, Refusal(() => harness.Verifier.Verify(headers, Body)).Reason);
    }

    [Fact]
    public void Missing_signature_is_refused_with_401()
    {
        using var harness = SyncHarness.SingleStore();
        var headers = ValidHeaders();
        headers.Remove("X-Shopify-Hmac-Sha256");

        var ex = Refusal(() => harness.Verifier.Verify(headers, Body));

        Assert.Equal(WebhookFailureReason.MissingSignature, ex.Reason);
        Assert.Equal(401, ex.StatusCode);
    }

    [Fact]
    public void Unknown_shop_is_refused_and_never_falls_back_to_a_configured_store()
    {
        using var harness = SyncHarness.SingleStore();
        var headers = SyncHarness.Headers("customers/create", "other.myshopify.com", SyncHarness.UkSecret, Body);

        var ex = Refusal(() => harness.Verifier.Verify(headers, Body));

        Assert.Equal(WebhookFailureReason.UnknownShop, ex.Reason);
        Assert.Contains("other.myshopify.com", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("X-Shopify-Topic")]
    [InlineData("X-Shopify-Webhook-Id")]
    [InlineData("X-Shopify-Shop-Domain")]
    public void Missing_required_header_is_refused_with_400_naming_it(string header)
    {
        using var harness = SyncHarness.SingleStore();
        var headers = ValidHeaders();
        headers.Remove(header);

        var ex = Refusal(() => harness.Verifier.Verify(headers, Body));

        Assert.Equal(WebhookFailureReason.MissingHeaders, ex.Reason);
        Assert.Equal(400, ex.StatusCode);
        Assert.Contains(header, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_duplicated_header_is_refused()
    {
        using var harness = SyncHarness.SingleStore();
        var headers = ValidHeaders();
        headers["X-Shopify-Webhook-Id"] = new StringValues(["a", "b"]);

        Assert.Equal(WebhookFailureReason.DuplicatedHeader, Refusal(() => harness.Verifier.Verify(headers, Body)).Reason);
    }

    [Fact]
    public void The_header_lookup_form_verifies_like_the_header_list_and_asks_only_for_the_headers_it_needs()
    {
        using var harness = SyncHarness.SingleStore();
        var headers = ValidHeaders();
        headers["X-Unrelated"] = "ignored";
        var lookup = new Dictionary<string, StringValues>(headers, StringComparer.OrdinalIgnoreCase);
        var asked = new List<string>();
        StringValues Header(string name)
        {
            asked.Add(name);
            return lookup.GetValueOrDefault(name);
        }

        var fromList = harness.Verifier.Verify(headers, Body, "customers/create");
        var fromLookup = harness.Verifier.Verify(Header, Body, "customers/create");

        Assert.Equal(
            (fromList.Topic, fromList.Store.Handle, fromList.WebhookId, fromList.EventId, fromList.TriggeredAt, fromList.ApiVersion),
            (fromLookup.Topic, fromLookup.Store.Handle, fromLookup.WebhookId, fromLookup.EventId, fromLookup.TriggeredAt, fromLookup.ApiVersion));
        Assert.DoesNotContain("X-Unrelated", asked);
        Assert.Contains("X-Shopify-Hmac-Sha256", asked);

        // A header line sent twice reaches the lookup as two values; a header the request lacks as none.
        lookup["X-Shopify-Webhook-Id"] = new StringValues(["a", "b"]);
        Assert.Equal(WebhookFailureReason.DuplicatedHeader, Refusal(() => harness.Verifier.Verify(Header, Body)).Reason);
        lookup.Remove("X-Shopify-Webhook-Id");
        var missing = Refusal(() => harness.Verifier.Verify(Header, Body));
        Assert.Equal(WebhookFailureReason.MissingHeaders, missing.Reason);
        Assert.Contains("X-Shopify-Webhook-Id", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unparseable_triggered_at_is_refused()
    {
        using var harness = SyncHarness.SingleStore();
        var headers = ValidHeaders();
        headers["X-Shopify-Triggered-At"] = "yesterday";

        Assert.Equal(WebhookFailureReason.InvalidHeader, Refusal(() => harness.Verifier.Verify(headers, Body)).Reason);
    }

    [Fact]
    public void Oversized_body_is_refused_with_413_before_anything_else()
    {
        using var harness = SyncHarness.SingleStore(o => o.MaxWebhookBodyBytes = 2048);
        var big = new byte[2049];

        var ex = Refusal(() => harness.Verifier.Verify(new Dictionary<string, StringValues>(), big));

        Assert.Equal(WebhookFailureReason.BodyTooLarge, ex.Reason);
        Assert.Equal(413, ex.StatusCode);
    }

    [Theory]
    [InlineData("{\"id\": 1, ")]
    [InlineData("[1,2,3]")]
    [InlineData("{\"id\":1} trailing")]
    [InlineData("")]
    public void Malformed_json_with_a_valid_signature_is_refused(string json)
    {
        using var harness = SyncHarness.SingleStore();
        var body = Encoding.UTF8.GetBytes(json);

        var ex = Refusal(() => harness.Verifier.Verify(ValidHeaders(body), body));

        Assert.Equal(WebhookFailureReason.MalformedJson, ex.Reason);
        Assert.Equal(400, ex.StatusCode);
    }

    [Fact]
    public void Invalid_utf8_inside_a_json_string_with_a_valid_signature_is_refused()
    {
        using var harness = SyncHarness.SingleStore();
        byte[] body = [.. "{\"id\":1073339470,\"first_name\":\"St"u8, 0xFF, 0xFE, .. "ve\"}"u8];

        var ex = Refusal(() => harness.Verifier.Verify(ValidHeaders(body), body));

        Assert.Equal(WebhookFailureReason.MalformedJson, ex.Reason);
        Assert.Equal(400, ex.StatusCode);
    }

    [Fact]
    public void A_topic_posted_to_another_topics_url_is_refused()
    {
        using var harness = SyncHarness.SingleStore();

        var ex = Refusal(() => harness.Verifier.Verify(ValidHeaders(), Body, expectedTopic: "customers/delete"));

        Assert.Equal(WebhookFailureReason.TopicMismatch, ex.Reason);
    }

    [Fact]
    public void Refusal_messages_never_contain_the_secret()
    {
        using var harness = SyncHarness.SingleStore();
        var headers = ValidHeaders(secret: "wrong");

        var ex = Refusal(() => harness.Verifier.Verify(headers, Body));

        Assert.DoesNotContain(SyncHarness.UkSecret, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(WebhookSignature.Compute(Body, SyncHarness.UkSecret), ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not base64!!")]
    [InlineData("")]
    [InlineData("AAAA")]
    public void Garbage_signatures_do_not_verify(string signature)
    {
        Assert.False(WebhookSignature.Verify(Body, signature, SyncHarness.UkSecret));
    }
}
