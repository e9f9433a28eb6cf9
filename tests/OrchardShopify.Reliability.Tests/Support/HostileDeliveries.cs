using System.Net;
using System.Text;
using OrchardShopify.Testing.Hosting.Webhooks;

namespace OrchardShopify.Reliability.Tests.Support;

internal enum Transport
{
    /// <summary>HttpClient with a Content-Length.</summary>
    Client,

    /// <summary>HttpClient with a chunked body (no Content-Length).</summary>
    Chunked,

    /// <summary>Raw bytes on a socket: repeated headers stay separate lines.</summary>
    Raw,
}

/// <summary>A delivery that differs from a good one in exactly one way, with the answer the site owes it.</summary>
internal sealed record HostileCase(string Kind, SignedDelivery Delivery, HttpStatusCode Status, string Reason, Transport Transport = Transport.Client);

/// <summary>
/// Generates hostile deliveries. Each starts as a good, signed <c>customers/create</c> of a customer of its own
/// (email <c>hostile.N@example.com</c>, id beyond 32 bits, webhook id <c>hostile-N</c>) and then has one thing wrong.
/// </summary>
internal static class HostileDeliveries
{
    public const string Prefix = "hostile";
    public const long FirstCustomerId = 8_100_000_001;

    private delegate HostileCase Spoil(SignedDelivery good, ShopifyWebhookSigner signer, int maxBodyBytes);

    private static readonly (string Kind, Spoil Spoil)[] Kinds =
    [
        ("wrong secret", (g, s, _) => Case(new ShopifyWebhookSigner(s.ShopDomain, "not-the-secret").Sign(g.Topic, g.Body, g.WebhookId, Now), HttpStatusCode.Unauthorized, "InvalidSignature")),
        ("truncated signature", (g, _, _) => Case(g.WithHeader(SignedDelivery.HmacHeader, g.Header(SignedDelivery.HmacHeader)![..20]), HttpStatusCode.Unauthorized, "InvalidSignature")),
        ("hex signature", (g, _, _) => Case(g.WithHeader(SignedDelivery.HmacHeader, Convert.ToHexString(Convert.FromBase64String(g.Header(SignedDelivery.HmacHeader)!))), HttpStatusCode.Unauthorized, "InvalidSignature")),
        ("missing signature", (g, _, _) => Case(g.WithoutHeader(SignedDelivery.HmacHeader), HttpStatusCode.Unauthorized, "MissingSignature")),
        ("body changed after signing", (g, _, _) => Case(g with { Body = Replace(g.Body, "\"enabled\"", "\"disabled\"") }, HttpStatusCode.Unauthorized, "InvalidSignature")),
        ("unknown shop", (g, s, _) => Case(g.WithHeader(SignedDelivery.ShopDomainHeader, "someone-else.myshopify.com"), HttpStatusCode.Unauthorized, "UnknownShop")),
        ("truncated json", (g, s, _) => Case(Resign(s, g, g.Body[..(g.Body.Length / 2)]), HttpStatusCode.BadRequest, "MalformedJson")),
        ("trailing garbage", (g, s, _) => Case(Resign(s, g, [.. g.Body, .. "}{"u8]), HttpStatusCode.BadRequest, "MalformedJson")),
        ("json array", (g, s, _) => Case(Resign(s, g, [.. "["u8, .. g.Body, .. "]"u8]), HttpStatusCode.BadRequest, "MalformedJson")),
        ("nested 100 deep", (g, s, _) => Case(Resign(s, g, Encoding.UTF8.GetBytes("{\"id\":1,\"n\":" + new string('[', 100) + new string(']', 100) + "}")), HttpStatusCode.BadRequest, "MalformedJson")),
        ("invalid utf-8", (g, s, _) => Case(Resign(s, g, Replace(g.Body, "\"enabled\"", "\"en\u00ff\u00feled\"")), HttpStatusCode.BadRequest, "MalformedJson")),
        ("oversized", (g, s, max) => Case(Resign(s, g, Padded(g.Body, max)), HttpStatusCode.RequestEntityTooLarge, "BodyTooLarge")),
        ("oversized chunked", (g, s, max) => Case(Resign(s, g, Padded(g.Body, max)), HttpStatusCode.RequestEntityTooLarge, "BodyTooLarge", Transport.Chunked)),
        ("missing topic", (g, _, _) => Case(g.WithoutHeader(SignedDelivery.TopicHeader), HttpStatusCode.BadRequest, "MissingHeaders")),
        ("missing webhook id", (g, _, _) => Case(g.WithoutHeader(SignedDelivery.WebhookIdHeader), HttpStatusCode.BadRequest, "MissingHeaders")),
        ("missing shop domain", (g, _, _) => Case(g.WithoutHeader(SignedDelivery.ShopDomainHeader), HttpStatusCode.BadRequest, "MissingHeaders")),
        ("duplicated webhook id", (g, _, _) => Case(g.WithRepeatedHeader(SignedDelivery.WebhookIdHeader, g.WebhookId + "-b"), HttpStatusCode.BadRequest, "DuplicatedHeader", Transport.Raw)),
        ("duplicated topic", (g, _, _) => Case(g.WithRepeatedHeader(SignedDelivery.TopicHeader, "customers/update"), HttpStatusCode.BadRequest, "DuplicatedHeader", Transport.Raw)),
        ("duplicated signature", (g, _, _) => Case(g.WithRepeatedHeader(SignedDelivery.HmacHeader, g.Header(SignedDelivery.HmacHeader)!), HttpStatusCode.BadRequest, "DuplicatedHeader", Transport.Raw)),
        ("duplicated shop domain", (g, _, _) => Case(g.WithRepeatedHeader(SignedDelivery.ShopDomainHeader, g.Header(SignedDelivery.ShopDomainHeader)!), HttpStatusCode.BadRequest, "DuplicatedHeader", Transport.Raw)),
        ("topic other than the url's", (g, _, _) => Case(g.WithHeader(SignedDelivery.TopicHeader, "customers/update"), HttpStatusCode.BadRequest, "TopicMismatch")),
        ("unparseable triggered-at", (g, _, _) => Case(g.WithHeader(SignedDelivery.TriggeredAtHeader, "yesterday at noon"), HttpStatusCode.BadRequest, "InvalidHeader")),
        ("webhook id of 201 characters", (g, _, _) => Case(g.WithHeader(SignedDelivery.WebhookIdHeader, new string('w', 201)), HttpStatusCode.BadRequest, "InvalidHeader")),
    ];

    private static readonly DateTimeOffset Now = new(2026, 10, 1, 12, 0, 0, TimeSpan.Zero);

    public static int KindCount => Kinds.Length;

    /// <summary><paramref name="count"/> cases, the kinds taken in turn so each is well represented.</summary>
    public static IReadOnlyList<HostileCase> Generate(ShopifyWebhookSigner signer, int count, int maxBodyBytes)
    {
        var cases = new List<HostileCase>(count);
        for (var n = 0; n < count; n++)
        {
            var customer = CustomerBurst.Version(FirstCustomerId + n, n, 0, Prefix);
            var good = signer.Customer("customers/create", customer, $"{Prefix}-{n}", Now);
            var (kind, spoil) = Kinds[n % Kinds.Length];
            cases.Add(spoil(good, signer, maxBodyBytes) with { Kind = kind });
        }

        return cases;
    }

    private static HostileCase Case(SignedDelivery delivery, HttpStatusCode status, string reason, Transport transport = Transport.Client)
        => new("", delivery, status, reason, transport);

    private static SignedDelivery Resign(ShopifyWebhookSigner signer, SignedDelivery good, byte[] body)
        => good.WithHeader(SignedDelivery.HmacHeader, signer.Sign(good.Topic, body, good.WebhookId, Now).Header(SignedDelivery.HmacHeader)!) with { Body = body };

    private static byte[] Replace(byte[] body, string from, string to)
    {
        var text = Encoding.Latin1.GetString(body);
        Assert.Contains(from, text, StringComparison.Ordinal);
        return Encoding.Latin1.GetBytes(text.Replace(from, to, StringComparison.Ordinal));
    }

    // Valid JSON one byte over the limit.
    private static byte[] Padded(byte[] body, int maxBytes)
    {
        var prefix = "{\"note\":\""u8.ToArray();
        var suffix = "\","u8.ToArray();
        var pad = Enumerable.Repeat((byte)'x', maxBytes + 1 - body.Length - prefix.Length - suffix.Length + 1).ToArray();
        return [.. prefix, .. pad, .. suffix, .. body.AsSpan(1)];
    }
}
