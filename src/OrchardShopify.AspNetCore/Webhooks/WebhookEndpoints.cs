using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrchardShopify.AspNetCore.Diagnostics;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.Webhooks;

namespace OrchardShopify.AspNetCore.Webhooks;

/// <summary>
/// Webhook receivers. Each one reads the body under the size cap, verifies it with the engine's
/// <see cref="WebhookVerifier"/> (store, HMAC over the raw bytes, headers, topic, JSON well-formedness),
/// appends it to the inbox once per webhook id, and answers 200. Nothing else happens before the answer.
/// </summary>
internal static partial class WebhookEndpoints
{
    private static readonly string[] ComplianceTopics = [ShopifyTopics.CustomersDataRequest, ShopifyTopics.CustomersRedact, ShopifyTopics.ShopRedact];

    public static RouteGroupBuilder MapWebhookEndpoints(this IEndpointRouteBuilder endpoints, string prefix)
    {
        var group = endpoints.MapGroup(prefix + "/webhook").AllowAnonymous().DisableAntiforgery().WithTags("Shopify webhooks");

        // Plain request delegates over the application's singleton: an accepted webhook needs no request scope, no
        // parameter binding and no result object, only the answer's status code.
        var services = endpoints.ServiceProvider;
        WebhookIntake? intake = null;
        WebhookIntake Intake() => intake ??= services.GetRequiredService<WebhookIntake>();
        group.MapPost("/customer/create", http => Intake().ReceiveAsync(http, ShopifyTopics.CustomersCreate));
        group.MapPost("/customer/update", http => Intake().ReceiveAsync(http, ShopifyTopics.CustomersUpdate));
        group.MapPost("/customer/delete", http => Intake().ReceiveAsync(http, ShopifyTopics.CustomersDelete));
        group.MapPost("/compliance", http => Intake().ReceiveAsync(http, null, ComplianceTopics));
        group.MapPost("/", http => Intake().ReceiveAsync(http, null));
        return group;
    }
}

internal sealed partial class WebhookIntake(StoreRegistry stores, WebhookVerifier verifier, WebhookInbox inbox, ShopifySyncMetrics metrics, ILogger<WebhookIntake> logger)
{
    /// <summary>Receives one delivery and writes the answer: 200 once stored (or already stored), else the refusal as JSON.</summary>
    public async Task ReceiveAsync(HttpContext http, string? expectedTopic, IReadOnlyCollection<string>? allowedTopics = null)
    {
        var request = http.Request;
        var body = await WebhookBodyReader.ReadAsync(request, stores.Options.MaxWebhookBodyBytes, http.RequestAborted);
        if (body is null)
        {
            await RefuseAsync(http, new WebhookVerificationException(WebhookFailureReason.BodyTooLarge, $"The body is larger than {stores.Options.MaxWebhookBodyBytes} bytes."));
            return;
        }

        WebhookDelivery delivery;
        try
        {
            var headers = request.Headers;
            delivery = verifier.Verify(name => headers[name], body, expectedTopic);
        }
        catch (WebhookVerificationException ex)
        {
            await RefuseAsync(http, ex);
            return;
        }

        if (allowedTopics is not null && !allowedTopics.Contains(delivery.Topic))
        {
            await RefuseAsync(http, new WebhookVerificationException(WebhookFailureReason.TopicMismatch, $"This URL receives {string.Join(", ", allowedTopics)}, not '{delivery.Topic}'."));
            return;
        }

        // The request's own token is not used: once verified, a delivery is stored even if Shopify hangs up.
        if (await inbox.AppendAsync(delivery, CancellationToken.None))
        {
            metrics.Received(delivery.Store.Handle, delivery.Topic);
            Log.Stored(logger, delivery.Topic, delivery.Store.Handle, delivery.WebhookId);
        }
        else
        {
            metrics.Duplicate(delivery.Store.Handle, delivery.Topic);
            Log.Duplicate(logger, delivery.Topic, delivery.Store.Handle, delivery.WebhookId);
        }

        http.Response.StatusCode = StatusCodes.Status200OK;
    }

    private Task RefuseAsync(HttpContext http, WebhookVerificationException refusal)
    {
        metrics.Rejected(refusal.Reason.ToString());
        Log.Refused(logger, refusal.Reason, refusal.StatusCode);
        http.Response.StatusCode = refusal.StatusCode;
        return http.Response.WriteAsJsonAsync(new WebhookRefusal(refusal.Reason.ToString(), refusal.Message), http.RequestAborted);
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Shopify webhook {Topic} from store {Store} stored ({WebhookId})")]
        public static partial void Stored(ILogger logger, string topic, string store, string webhookId);

        [LoggerMessage(Level = LogLevel.Information, Message = "Shopify webhook {Topic} from store {Store} already stored ({WebhookId}); ignored")]
        public static partial void Duplicate(ILogger logger, string topic, string store, string webhookId);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Shopify webhook refused: {Reason} ({Status})")]
        public static partial void Refused(ILogger logger, WebhookFailureReason reason, int status);
    }
}

internal sealed record WebhookRefusal(string Reason, string Message);
