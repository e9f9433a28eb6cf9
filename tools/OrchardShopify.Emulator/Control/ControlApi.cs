using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OrchardShopify.Emulator.Customers;
using OrchardShopify.Emulator.Schema;
using OrchardShopify.Emulator.Webhooks;

namespace OrchardShopify.Emulator.Control;

/// <summary>/_emulator/*: inspect and steer the emulator, and act as a merchant editing customers in the Shopify admin.</summary>
internal static class ControlApi
{
    private static readonly string[] UpdateMethods = ["PUT", "PATCH"];
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void Map(IEndpointRouteBuilder app, EmulatorState state)
    {
        var control = app.MapGroup("/_emulator");
        control.MapGet("/health", () => Results.Ok(new { status = "ok" }));
        control.MapGet("/shops", () => Results.Json(state.Shops.Values.Select(s => new
        {
            domain = s.Domain,
            id = Gid.For("Shop", s.ShopId),
            currency = s.Currency,
            customers = s.Count,
            webhookSubscriptions = state.Subscriptions.ForShop(s.Domain).Count,
            plan = state.Options.Plan.ToString().ToLowerInvariant(),
        }), Json));

        control.MapGet("/shops/{shop}/customers", (string shop, string? query) =>
            WithShop(state, shop, s => CustomersResult(s, s.Snapshot().Where(CustomerSearch.Compile(query)))));
        control.MapGet("/shops/{shop}/customers/{id:long}", (string shop, long id) =>
            WithShop(state, shop, s => s.Find(id) is { } customer ? CustomerResult(s, customer, StatusCodes.Status200OK) : NotFound($"Customer {id} not found")));
        control.MapPost("/shops/{shop}/customers", async (string shop, HttpRequest request) =>
        {
            var input = await ReadCustomerInputAsync(request);
            var verified = !input.TryGetValue("verifiedEmail", out var flag) || flag is not false;

            // verified_email is the merchant's fact about the customer, not a CustomerInput field.
            var fields = input.Where(p => p.Key != "verifiedEmail").ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
            return WithShop(state, shop, s => Guarded(() => Apply(state, s, s.Create(fields, verified), StatusCodes.Status201Created)));
        });
        control.MapMethods("/shops/{shop}/customers/{id:long}", UpdateMethods, async (string shop, long id, HttpRequest request) =>
        {
            var input = await ReadCustomerInputAsync(request);
            return WithShop(state, shop, s => Guarded(() => Apply(state, s, s.Update(id, input), StatusCodes.Status200OK)));
        });
        control.MapDelete("/shops/{shop}/customers/{id:long}", (string shop, long id) => WithShop(state, shop, s =>
        {
            var (deleted, errors, change) = s.Delete(id);
            if (change is not null)
            {
                state.Publish(change);
            }

            return deleted is null ? Results.Json(new { errors }, Json, statusCode: StatusCodes.Status422UnprocessableEntity) : Results.Ok(new { deleted = Gid.For("Customer", id) });
        }));
        control.MapPost("/shops/{shop}/customers/{id:long}/orders", (string shop, long id) => WithShop(state, shop, s =>
        {
            var now = state.Time.GetUtcNow();
            var orderId = 7_000_000_000 + now.ToUnixTimeMilliseconds() % 1_000_000_000;
            var order = new Order(orderId, $"#E{orderId % 100_000}", now, now, null, null, "PAID", "UNFULFILLED", s.Currency, 4.99m,
                [new LineItem(orderId * 10, "Orchard Apple Crate", 1, "APL-CRATE", "Large", 24.50m)]);
            var (customer, change) = s.AddOrder(id, order);
            if (change is not null)
            {
                state.Publish(change);
            }

            return customer is null ? NotFound($"Customer {id} not found") : CustomerResult(s, customer, StatusCodes.Status201Created);
        }));

        control.MapGet("/shops/{shop}/webhooks", (string shop) => WithShop(state, shop, s => Results.Json(state.Subscriptions.ForShop(s.Domain).Select(w => new
        {
            id = Gid.For("WebhookSubscription", w.Id),
            topic = w.Topic,
            callbackUrl = w.CallbackUrl.ToString(),
            consecutiveFailures = w.ConsecutiveFailures,
        }), Json)));
        control.MapPost("/shops/{shop}/throttle/drain", (string shop) => WithShop(state, shop, s =>
        {
            state.Throttle.Drain(s.Domain + "|" + state.Options.AccessToken);
            return Results.Ok(new { drained = s.Domain });
        }));

        control.MapGet("/faults", () => Results.Json(state.Faults.Current, Json));
        control.MapPost("/faults", async (HttpRequest request) =>
        {
            JsonObject? patch;
            try
            {
                patch = await JsonNode.ParseAsync(request.Body) as JsonObject;
            }
            catch (JsonException exception)
            {
                return Results.Json(new { errors = new[] { "Body must be a JSON object: " + exception.Message } }, Json, statusCode: StatusCodes.Status400BadRequest);
            }

            if (patch is null)
            {
                return Results.Json(new { errors = "Body must be a JSON object" }, Json, statusCode: StatusCodes.Status400BadRequest);
            }

            var merged = JsonSerializer.SerializeToNode(state.Faults.Current, Json)!.AsObject();
            var known = merged.Select(p => p.Key).ToHashSet(StringComparer.OrdinalIgnoreCase);
            var unknown = patch.Select(p => p.Key).Where(k => !known.Contains(k)).ToList();
            if (unknown.Count > 0)
            {
                return Results.Json(new { errors = unknown.Select(k => $"Unknown fault '{k}'. Known: {string.Join(", ", known)}") }, Json, statusCode: StatusCodes.Status400BadRequest);
            }

            foreach (var (key, value) in patch)
            {
                merged[merged.First(p => string.Equals(p.Key, key, StringComparison.OrdinalIgnoreCase)).Key] = value?.DeepClone();
            }

            FaultSettings? settings;
            try
            {
                settings = merged.Deserialize<FaultSettings>(Json);
            }
            catch (JsonException exception)
            {
                return Results.Json(new { errors = new[] { exception.Message } }, Json, statusCode: StatusCodes.Status400BadRequest);
            }

            var problems = settings!.Validate();
            if (problems.Count > 0)
            {
                return Results.Json(new { errors = problems }, Json, statusCode: StatusCodes.Status400BadRequest);
            }

            state.Faults.Replace(settings);
            return Results.Json(settings, Json);
        });
        control.MapDelete("/faults", () =>
        {
            state.Faults.Replace(new FaultSettings());
            return Results.Json(state.Faults.Current, Json);
        });

        control.MapGet("/deliveries", (string? shop, string? topic, string? webhookId) => Results.Json(
            state.Deliveries.Snapshot()
                .Where(d => shop is null || string.Equals(d.ShopDomain, shop, StringComparison.OrdinalIgnoreCase))
                .Where(d => topic is null || d.Topic == topic)
                .Where(d => webhookId is null || d.WebhookId == webhookId),
            Json));
        control.MapDelete("/deliveries", () =>
        {
            state.Deliveries.Clear();
            return Results.NoContent();
        });

        control.MapPost("/reset", (int? customers) =>
        {
            if (customers is < 0 or > 1_000_000)
            {
                return Results.Json(new { errors = "customers must be between 0 and 1000000" }, Json, statusCode: StatusCodes.Status400BadRequest);
            }

            state.Reset(customers);
            return Results.Ok(new { reset = true, customersPerShop = customers ?? state.Options.CustomersPerShop });
        });

        control.MapGet("/bulk/{shop}/{file}", (string shop, string file) =>
        {
            var idText = file.EndsWith(".jsonl", StringComparison.Ordinal) ? file[..^6] : file;
            if (!long.TryParse(idText, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
                || state.Bulk.Find(shop, id) is not { Status: "COMPLETED" } operation)
            {
                return NotFound("No completed bulk operation at this address");
            }

            return Results.File(operation.FilePath, "application/jsonl", enableRangeProcessing: true);
        });
    }

    private static IResult WithShop(EmulatorState state, string domain, Func<Shop, IResult> action) =>
        state.FindShop(domain) is { } shop ? action(shop) : NotFound($"Unknown shop '{domain}'. Known: {string.Join(", ", state.Shops.Keys)}");

    private static IResult Guarded(Func<IResult> action)
    {
        try
        {
            return action();
        }
        catch (ShopifyError exception)
        {
            return Results.Json(new { errors = new[] { exception.Message } }, Json, statusCode: StatusCodes.Status422UnprocessableEntity);
        }
    }

    private static IResult NotFound(string message) =>
        Results.Json(new { errors = message }, Json, statusCode: StatusCodes.Status404NotFound);

    private static IResult Apply(EmulatorState state, Shop shop, (Customer? Customer, IReadOnlyList<UserError> Errors, CustomerEvent? Event) result, int successStatus)
    {
        if (result.Event is not null)
        {
            state.Publish(result.Event);
        }

        return result.Customer is null
            ? Results.Json(new { errors = result.Errors.Select(e => new { field = e.Field, message = e.Message, code = e.Code }) }, Json, statusCode: result.Errors.Any(e => e.Code == "NOT_FOUND") ? StatusCodes.Status404NotFound : StatusCodes.Status422UnprocessableEntity)
            : CustomerResult(shop, result.Customer, successStatus);
    }

    private static IResult CustomerResult(Shop shop, Customer customer, int status) =>
        RawJson(writer => WebhookPayloads.WriteCustomerObject(writer, shop, customer), status);

    private static IResult CustomersResult(Shop shop, IEnumerable<Customer> customers) => RawJson(
        writer =>
        {
            writer.WriteStartArray();
            foreach (var customer in customers)
            {
                WebhookPayloads.WriteCustomerObject(writer, shop, customer);
            }

            writer.WriteEndArray();
        },
        StatusCodes.Status200OK);

    private static IResult RawJson(Action<Utf8JsonWriter> write, int status)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = Json.Encoder }))
        {
            write(writer);
        }

        return Results.Text(Encoding.UTF8.GetString(stream.ToArray()), "application/json; charset=utf-8", Encoding.UTF8, status);
    }

    /// <summary>Merchant edits arrive REST-shaped (snake_case, optionally wrapped in "customer") and become a CustomerInput.</summary>
    private static async Task<IReadOnlyDictionary<string, object?>> ReadCustomerInputAsync(HttpRequest request)
    {
        JsonNode? node;
        try
        {
            node = await JsonNode.ParseAsync(request.Body);
        }
        catch (JsonException)
        {
            node = null;
        }

        if (node is JsonObject wrapper && wrapper["customer"] is JsonObject inner)
        {
            node = inner;
        }

        if (FromJson(node) is not IReadOnlyDictionary<string, object?> fields)
        {
            return ImmutableDictionary<string, object?>.Empty;
        }

        return Camelize(fields);
    }

    private static object? FromJson(JsonNode? node) => node switch
    {
        null => null,
        JsonObject obj => obj.ToDictionary(p => p.Key, p => FromJson(p.Value), StringComparer.Ordinal) as IReadOnlyDictionary<string, object?>,
        JsonArray array => array.Select(FromJson).ToList() as IReadOnlyList<object?>,
        JsonValue value => value.GetValueKind() switch
        {
            JsonValueKind.String => value.GetValue<string>(),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number => value.TryGetValue<long>(out var l) ? l : value.GetValue<double>(),
            _ => null,
        },
        _ => null,
    };

    private static Dictionary<string, object?> Camelize(IReadOnlyDictionary<string, object?> fields)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in fields)
        {
            var camel = string.Concat(key.Split('_').Select((part, i) => i == 0 || part.Length == 0 ? part : char.ToUpperInvariant(part[0]) + part[1..]));
            result[camel] = value switch
            {
                IReadOnlyDictionary<string, object?> nested => Camelize(nested),
                IReadOnlyList<object?> list => list.Select(item => item is IReadOnlyDictionary<string, object?> d ? Camelize(d) : item).ToList(),
                _ => value,
            };
        }

        return result;
    }
}
