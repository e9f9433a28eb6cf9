using System.Globalization;
using System.Reflection;
using GraphQL;
using GraphQL.Resolvers;
using GraphQL.Types;
using GraphQL.Utilities;
using OrchardShopify.Emulator.Bulk;
using OrchardShopify.Emulator.Control;
using OrchardShopify.Emulator.Customers;
using OrchardShopify.Emulator.Webhooks;

namespace OrchardShopify.Emulator.Schema;

public sealed record CustomerPayload(Customer? Customer, IReadOnlyList<UserError> UserErrors);

public sealed record AddressPayload(MailingAddress? Address, IReadOnlyList<UserError> UserErrors);

public sealed record AddressDeletePayload(string? DeletedAddressId, IReadOnlyList<UserError> UserErrors);

public sealed record CustomerDeletePayload(string? DeletedCustomerId, Shop Shop, IReadOnlyList<UserError> UserErrors);

public sealed record BulkOperationRunQueryPayload(BulkOperation? BulkOperation, IReadOnlyList<UserError> UserErrors);

public sealed record WebhookSubscriptionPayload(WebhookSubscription? WebhookSubscription, IReadOnlyList<UserError> UserErrors);

public sealed record WebhookSubscriptionDeletePayload(string? DeletedWebhookSubscriptionId, IReadOnlyList<UserError> UserErrors);

public sealed record CountValue(long Count, string Precision);

public sealed record Money(decimal Amount, string CurrencyCode);

public sealed record EmailAddressValue(string EmailAddress, string MarketingState);

public sealed record PhoneNumberValue(string PhoneNumber, string MarketingState);

public sealed record OrderView(Customer Customer, Order Order);

public sealed record LineItemView(OrderView Order, LineItem Item);

public sealed record MetafieldValue(string Namespace, string Key, string Value);

/// <summary>
/// The slice of Shopify's Admin GraphQL API (2026-10) that a customer sync touches, schema-first: the types come from
/// <c>AdminApi.graphql</c> (Shopify's own names and types, checked against the published schema by a test) and every
/// field is bound here to a resolver over the emulator's state.
/// </summary>
public static class AdminSchema
{
    public const string ResourceName = "OrchardShopify.Emulator.Schema.AdminApi.graphql";
    private const string RequestKey = "shopify.request";
    private static readonly string[] ShopifyScalars = ["DateTime", "Decimal", "URL", "UnsignedInt64"];

    /// <summary>The SDL the emulator serves.</summary>
    public static string Sdl()
    {
        using var stream = typeof(AdminSchema).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"Embedded resource {ResourceName} is missing");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>Builds and initializes the schema; fails when a field of the SDL has no resolver.</summary>
    public static ISchema Build()
    {
        var schema = GraphQL.Types.Schema.For(Sdl(), builder =>
        {
            var bind = new Bindings(builder);
            BindQueryRoot(bind);
            BindMutations(bind);
            BindCustomer(bind);
            BindOrders(bind);
            BindBulkAndWebhooks(bind);
            BindShared(bind);
        });
        foreach (var name in ShopifyScalars)
        {
            schema.RegisterType(new ShopifyScalar(name));
        }

        schema.Initialize();
        var unbound = schema.AllTypes.OfType<IObjectGraphType>()
            .Where(t => !t.Name.StartsWith("__", StringComparison.Ordinal))
            .SelectMany(t => t.Fields.Where(f => f.Resolver is null).Select(f => $"{t.Name}.{f.Name}"))
            .ToList();
        if (unbound.Count > 0)
        {
            throw new InvalidOperationException("Fields of the emulator's SDL without a resolver: " + string.Join(", ", unbound));
        }

        return schema;
    }

    /// <summary>The user context of one request.</summary>
    public static Dictionary<string, object?> UserContext(AdminRequest request) => new(StringComparer.Ordinal) { [RequestKey] = request };

    internal static AdminRequest Request(IDictionary<string, object?> userContext) => (AdminRequest)userContext[RequestKey]!;

    private static AdminContext Admin(IResolveFieldContext context) => Request(context.UserContext).Admin;

    private static object? Arg(IResolveFieldContext context, string name) =>
        context.Arguments is { } arguments && arguments.TryGetValue(name, out var value) ? value.Value : null;

    private static string? String(IResolveFieldContext context, string name) => Arg(context, name) switch
    {
        null => null,
        string text => text,
        var other => Convert.ToString(other, CultureInfo.InvariantCulture),
    };

    private static bool Bool(IResolveFieldContext context, string name) => Arg(context, name) is true;

    private static IReadOnlyDictionary<string, object?>? Object(IResolveFieldContext context, string name) =>
        Arg(context, name) as IReadOnlyDictionary<string, object?>;

    private static ProtectedCustomerDataAccess CustomerDataAccess(IResolveFieldContext context) => Admin(context).State.Faults.Current.ProtectedCustomerData;

    /// <summary>An app not approved for protected customer data cannot reach the Customer object: the field is null, with Shopify's error.</summary>
    private static void RequireCustomerObject(IResolveFieldContext context)
    {
        if (CustomerDataAccess(context) == ProtectedCustomerDataAccess.NotApproved)
        {
            throw new ShopifyError(ProtectedCustomerDataMessages.CustomerObject, ProtectedCustomerDataMessages.AccessDenied);
        }
    }

    /// <summary>A customer's name, email, phone or address field: null, with Shopify's error, unless the app is approved for it.</summary>
    private static T? ProtectedField<T>(IResolveFieldContext context, T? value)
    {
        if (CustomerDataAccess(context) != ProtectedCustomerDataAccess.Approved)
        {
            throw new ShopifyError(ProtectedCustomerDataMessages.CustomerObject, ProtectedCustomerDataMessages.AccessDenied);
        }

        return value;
    }

    private static long RequireId(string? gid, string type)
    {
        if (Gid.TryParse(gid, type, out var id))
        {
            return id;
        }

        throw new ShopifyError($"Invalid global id '{gid}'", "argumentLiteralsIncompatible");
    }

    private static string SortKey(long id) => id.ToString("D20", CultureInfo.InvariantCulture);

    private static string SortKey(DateTimeOffset time, long id) => time.UtcTicks.ToString("D20", CultureInfo.InvariantCulture) + SortKey(id);

    private static void BindQueryRoot(Bindings bind)
    {
        const string type = "QueryRoot";
        bind.Field<object>(type, "customer", (_, c) => { RequireCustomerObject(c); return Admin(c).Shop.Find(RequireId(String(c, "id"), "Customer")); });
        bind.Field<object>(type, "customers", (_, c) =>
        {
            RequireCustomerObject(c);
            return Request(c.UserContext).BulkRoots is { } roots ? Connections.Page(roots, customer => SortKey(customer.Id), c) : CustomersPage(c);
        });
        bind.Field<object>(type, "customerByIdentifier", (_, c) => { RequireCustomerObject(c); return FindByIdentifier(c); });
        bind.Field<object>(type, "customersCount", (_, c) =>
        {
            RequireCustomerObject(c);
            var filter = CustomerSearch.Compile(String(c, "query"));
            var count = Admin(c).Shop.Snapshot().LongCount(filter);
            var limit = c.GetArgument<int?>("limit") ?? 10_000;
            return count > limit ? new CountValue(limit, "AT_LEAST") : new CountValue(count, "EXACT");
        });
        bind.Field<object>(type, "bulkOperation", (_, c) => Admin(c).State.Bulk.Find(Admin(c).Shop.Domain, RequireId(String(c, "id"), "BulkOperation")));
        bind.Field<object>(type, "currentBulkOperation", (_, c) => Admin(c).State.Bulk.Current(Admin(c).Shop.Domain));
        bind.Field<object>(type, "webhookSubscription", (_, c) => Admin(c).State.Subscriptions.Find(Admin(c).Shop.Domain, RequireId(String(c, "id"), "WebhookSubscription")));
        bind.Field<object>(type, "webhookSubscriptions", (_, c) => WebhookSubscriptionsPage(c));
        bind.Field<object>(type, "shop", (_, c) => Admin(c).Shop);
    }

    private static ConnectionPage CustomersPage(IResolveFieldContext context)
    {
        var filter = CustomerSearch.Compile(String(context, "query"));
        Func<Customer, string> key = String(context, "sortKey") switch
        {
            "UPDATED_AT" => c => SortKey(c.UpdatedAt, c.Id),
            "CREATED_AT" => c => SortKey(c.CreatedAt, c.Id),
            "NAME" => c => c.DisplayName.ToUpperInvariant() + "\u0001" + SortKey(c.Id),
            "LOCATION" => c => (c.DefaultAddress?.City ?? string.Empty).ToUpperInvariant() + "\u0001" + SortKey(c.Id),
            _ => c => SortKey(c.Id),
        };
        return Connections.Page(Admin(context).Shop.Snapshot().Where(filter), key, context, Bool(context, "reverse"));
    }

    private static ConnectionPage WebhookSubscriptionsPage(IResolveFieldContext context)
    {
        var admin = Admin(context);
        var topics = (Arg(context, "topics") as IEnumerable<object?>)?.Select(t => t?.ToString()).ToHashSet(StringComparer.Ordinal);
        var callbackUrl = String(context, "callbackUrl") ?? String(context, "uri");
        var subscriptions = admin.State.Subscriptions.ForShop(admin.Shop.Domain)
            .Where(s => topics is null || topics.Contains(s.Topic))
            .Where(s => callbackUrl is null || s.CallbackUrl.ToString() == new Uri(callbackUrl).ToString());
        return Connections.Page(subscriptions, s => SortKey(s.Id), context, Bool(context, "reverse"));
    }

    private static Customer? FindByIdentifier(IResolveFieldContext context)
    {
        var identifier = Object(context, "identifier")!;
        var shop = Admin(context).Shop;
        var given = identifier.Where(p => p.Value is not null).ToList();
        if (given.Count != 1)
        {
            throw new ShopifyError("CustomerIdentifierInput requires exactly one of id, emailAddress, phoneNumber or customId", "INVALID_VARIABLE");
        }

        var (name, value) = given[0];
        return name switch
        {
            "id" => shop.Find(RequireId(value?.ToString(), "Customer")),
            "emailAddress" => shop.FindByEmail((string)value!),
            "phoneNumber" => shop.FindByPhone((string)value!),
            "customId" when value is IReadOnlyDictionary<string, object?> custom => FindByMetafield(shop, custom),
            _ => throw new ShopifyError($"CustomerIdentifierInput has no field '{name}'", "INVALID_VARIABLE"),
        };
    }

    private static Customer? FindByMetafield(Shop shop, IReadOnlyDictionary<string, object?> custom) =>
        shop.FindByMetafield($"{custom.GetValueOrDefault("namespace") ?? "custom"}.{custom.GetValueOrDefault("key")}", custom.GetValueOrDefault("value")?.ToString() ?? string.Empty);

    private static void BindMutations(Bindings bind)
    {
        const string type = "Mutation";
        bind.Field<object>(type, "customerCreate", (_, c) =>
        {
            RequireCustomerObject(c);
            var admin = Admin(c);
            var (customer, errors, change) = admin.Shop.Create(Object(c, "input")!);
            Publish(admin, change);
            return new CustomerPayload(customer, errors);
        });
        bind.Field<object>(type, "customerUpdate", (_, c) =>
        {
            RequireCustomerObject(c);
            var admin = Admin(c);
            var input = Object(c, "input")!;
            if (input.GetValueOrDefault("id") is not { } gid)
            {
                return new CustomerPayload(null, [new UserError(["id"], "Customer does not exist")]);
            }

            var (customer, errors, change) = admin.Shop.Update(RequireId(gid.ToString(), "Customer"), input);
            Publish(admin, change);
            return new CustomerPayload(customer, errors);
        });
        bind.Field<object>(type, "customerDelete", (_, c) =>
        {
            RequireCustomerObject(c);
            var admin = Admin(c);
            var id = RequireId(Object(c, "input")!.GetValueOrDefault("id")?.ToString(), "Customer");
            var (deleted, errors, change) = admin.Shop.Delete(id);
            Publish(admin, change);
            return new CustomerDeletePayload(deleted is { } d ? Gid.For("Customer", d) : null, admin.Shop, errors);
        });
        bind.Field<object>(type, "customerAddressCreate", (_, c) =>
        {
            RequireCustomerObject(c);
            var admin = Admin(c);
            var (address, errors, change) = admin.Shop.AddAddress(RequireId(String(c, "customerId"), "Customer"), Object(c, "address")!, Bool(c, "setAsDefault"));
            Publish(admin, change);
            return new AddressPayload(address, errors);
        });
        bind.Field<object>(type, "customerAddressUpdate", (_, c) =>
        {
            RequireCustomerObject(c);
            var admin = Admin(c);
            var (address, errors, change) = admin.Shop.UpdateAddress(
                RequireId(String(c, "customerId"), "Customer"),
                RequireId(String(c, "addressId"), "MailingAddress"),
                Object(c, "address")!,
                Bool(c, "setAsDefault"));
            Publish(admin, change);
            return new AddressPayload(address, errors);
        });
        bind.Field<object>(type, "customerAddressDelete", (_, c) =>
        {
            RequireCustomerObject(c);
            var admin = Admin(c);
            var (deleted, errors, change) = admin.Shop.DeleteAddress(
                RequireId(String(c, "customerId"), "Customer"),
                RequireId(String(c, "addressId"), "MailingAddress"));
            Publish(admin, change);
            return new AddressDeletePayload(deleted is { } d ? Gid.For("MailingAddress", d) + "?model_name=CustomerAddress" : null, errors);
        });
        bind.Field<object>(type, "customerSet", (_, c) => { RequireCustomerObject(c); return CustomerSet(c); });
        bind.Field<object>(type, "bulkOperationRunQuery", (_, c) =>
        {
            var admin = Admin(c);
            if (CustomerDataAccess(c) != ProtectedCustomerDataAccess.Approved)
            {
                // The emulator's bulk queries read customers and their profile fields only: refused as those are, with
                // Shopify's message. BulkOperationUserErrorCode has no ACCESS_DENIED, so the user error carries no code.
                return new BulkOperationRunQueryPayload(null, [new UserError(["query"], ProtectedCustomerDataMessages.CustomerObject)]);
            }

            var (operation, errors) = admin.State.Bulk.Start(admin.Shop, String(c, "query")!, admin.BaseUrl);
            return new BulkOperationRunQueryPayload(operation, errors);
        });
        bind.Field<object>(type, "webhookSubscriptionCreate", (_, c) => CreateSubscription(c));
        bind.Field<object>(type, "webhookSubscriptionDelete", (_, c) =>
        {
            var admin = Admin(c);
            var id = RequireId(String(c, "id"), "WebhookSubscription");
            return admin.State.Subscriptions.Remove(admin.Shop.Domain, id)
                ? new WebhookSubscriptionDeletePayload(Gid.For("WebhookSubscription", id), [])
                : new WebhookSubscriptionDeletePayload(null, [new UserError(["id"], "Webhook subscription does not exist")]);
        });

        foreach (var payload in new[] { "CustomerCreatePayload", "CustomerUpdatePayload", "CustomerSetPayload" })
        {
            bind.Field<CustomerPayload>(payload, "customer", p => p.Customer);
            bind.Field<CustomerPayload>(payload, "userErrors", p => p.UserErrors);
        }

        foreach (var payload in new[] { "CustomerAddressCreatePayload", "CustomerAddressUpdatePayload" })
        {
            bind.Field<AddressPayload>(payload, "address", p => p.Address);
            bind.Field<AddressPayload>(payload, "userErrors", p => p.UserErrors);
        }

        bind.Field<AddressDeletePayload>("CustomerAddressDeletePayload", "deletedAddressId", p => p.DeletedAddressId);
        bind.Field<AddressDeletePayload>("CustomerAddressDeletePayload", "userErrors", p => p.UserErrors);
        bind.Field<CustomerDeletePayload>("CustomerDeletePayload", "deletedCustomerId", p => p.DeletedCustomerId);
        bind.Field<CustomerDeletePayload>("CustomerDeletePayload", "shop", p => p.Shop);
        bind.Field<CustomerDeletePayload>("CustomerDeletePayload", "userErrors", p => p.UserErrors);
        bind.Field<BulkOperationRunQueryPayload>("BulkOperationRunQueryPayload", "bulkOperation", p => p.BulkOperation);
        bind.Field<BulkOperationRunQueryPayload>("BulkOperationRunQueryPayload", "userErrors", p => p.UserErrors);
        bind.Field<WebhookSubscriptionPayload>("WebhookSubscriptionCreatePayload", "webhookSubscription", p => p.WebhookSubscription);
        bind.Field<WebhookSubscriptionPayload>("WebhookSubscriptionCreatePayload", "userErrors", p => p.UserErrors);
        bind.Field<WebhookSubscriptionDeletePayload>("WebhookSubscriptionDeletePayload", "deletedWebhookSubscriptionId", p => p.DeletedWebhookSubscriptionId);
        bind.Field<WebhookSubscriptionDeletePayload>("WebhookSubscriptionDeletePayload", "userErrors", p => p.UserErrors);
        foreach (var error in new[] { "UserError", "CustomerSetUserError", "BulkOperationUserError" })
        {
            bind.IsTypeOf<UserError>(error);
            bind.Field<UserError>(error, "field", e => e.Field);
            bind.Field<UserError>(error, "message", e => e.Message);
        }

        bind.Field<UserError>("CustomerSetUserError", "code", e => e.Code);
        bind.Field<UserError>("BulkOperationUserError", "code", e => e.Code);
    }

    private static void Publish(AdminContext admin, CustomerEvent? change)
    {
        if (change is not null)
        {
            admin.State.Publish(change);
        }
    }

    private static CustomerPayload CustomerSet(IResolveFieldContext context)
    {
        var admin = Admin(context);
        var shop = admin.Shop;
        var input = Object(context, "input")!;
        var identifier = Object(context, "identifier");
        Customer? existing = null;
        if (identifier is not null)
        {
            foreach (var (name, value) in identifier.Where(p => p.Value is not null))
            {
                var inputField = name switch { "email" => "email", "phone" => "phone", _ => null };
                if (inputField is not null && input.TryGetValue(inputField, out var inputValue) && inputValue is string text
                    && !SameContact(inputField, text, (string)value!))
                {
                    return new CustomerPayload(null, [new UserError(["input", inputField], "The identifier value does not match the value of the corresponding field in the input.", "INVALID")]);
                }

                existing = name switch
                {
                    "id" => shop.Find(RequireId(value?.ToString(), "Customer"))
                        ?? throw new ShopifyError("Resource matching the identifier was not found.", "NOT_FOUND"),
                    "email" => shop.FindByEmail((string)value!),
                    "phone" => shop.FindByPhone((string)value!),
                    "customId" when value is IReadOnlyDictionary<string, object?> custom => FindByMetafield(shop, custom),
                    _ => throw new ShopifyError($"CustomerSetIdentifiers has no field '{name}'", "INVALID_VARIABLE"),
                };
            }
        }

        var (customer, errors, change) = existing is null ? shop.Create(input) : shop.Update(existing.Id, input);
        Publish(admin, change);
        return new CustomerPayload(customer, [.. errors.Select(e => e with { Field = e.Field is null ? null : ["input", .. e.Field] })]);
    }

    private static bool SameContact(string field, string a, string b) => field == "phone"
        ? ShopifyPhone.TryNormalize(a, out var x) && ShopifyPhone.TryNormalize(b, out var y) && x == y
        : string.Equals(a.Trim(), b.Trim(), StringComparison.OrdinalIgnoreCase);

    private static WebhookSubscriptionPayload CreateSubscription(IResolveFieldContext context)
    {
        var admin = Admin(context);
        var topic = String(context, "topic")!;
        if (!WebhookTopics.Known.Contains(topic))
        {
            throw new ShopifyError($"The emulator does not deliver the topic {topic}. Topics it delivers: {string.Join(", ", WebhookTopics.Known.Order(StringComparer.Ordinal))}.", "argumentLiteralsIncompatible");
        }

        if (CustomerDataAccess(context) == ProtectedCustomerDataAccess.NotApproved && ProtectedCustomerDataMessages.IsProtectedTopic(topic))
        {
            return new WebhookSubscriptionPayload(null, [new UserError(["webhookSubscription"], ProtectedCustomerDataMessages.WebhookTopics)]);
        }

        var input = Object(context, "webhookSubscription")!;
        var address = (input.GetValueOrDefault("uri") ?? input.GetValueOrDefault("callbackUrl")) as string;
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            return new WebhookSubscriptionPayload(null, [new UserError(["webhookSubscription", "callbackUrl"], "Address is invalid")]);
        }

        var format = input.GetValueOrDefault("format")?.ToString() ?? "JSON";
        if (format != "JSON")
        {
            return new WebhookSubscriptionPayload(null, [new UserError(["webhookSubscription", "format"], "Format is not supported by the emulator (only JSON)")]);
        }

        var includeFields = (input.GetValueOrDefault("includeFields") as IEnumerable<object?>)?.Select(f => f?.ToString() ?? string.Empty).ToList() ?? [];
        var (subscription, error) = admin.State.Subscriptions.Add(admin.Shop.Domain, topic, uri, format, includeFields, admin.ApiVersion, admin.State.Time.GetUtcNow());
        return error is null
            ? new WebhookSubscriptionPayload(subscription, [])
            : new WebhookSubscriptionPayload(null, [new UserError(["webhookSubscription", "callbackUrl"], error)]);
    }

    private static void BindCustomer(Bindings bind)
    {
        const string type = "Customer";
        bind.IsTypeOf<Customer>(type);
        bind.Field<Customer>(type, "id", c => Gid.For("Customer", c.Id));
        bind.Field<Customer>(type, "legacyResourceId", c => c.Id.ToString(CultureInfo.InvariantCulture));
        bind.Field<Customer>(type, "firstName", (c, f) => ProtectedField(f, c.FirstName));
        bind.Field<Customer>(type, "lastName", (c, f) => ProtectedField(f, c.LastName));
        bind.Field<Customer>(type, "displayName", c => c.DisplayName);
        bind.Field<Customer>(type, "email", (c, f) => ProtectedField(f, c.Email));
        bind.Field<Customer>(type, "phone", (c, f) => ProtectedField(f, c.Phone));
        bind.Field<Customer>(type, "defaultEmailAddress", (c, f) => ProtectedField(f, c.Email is null ? null : new EmailAddressValue(c.Email, c.EmailMarketingState)));
        bind.Field<Customer>(type, "defaultPhoneNumber", (c, f) => ProtectedField(f, c.Phone is null ? null : new PhoneNumberValue(c.Phone, c.SmsMarketingState)));
        bind.Field<Customer>(type, "smsMarketingConsent", c => c.Phone is null ? null : new PhoneNumberValue(c.Phone, c.SmsMarketingState));
        bind.Field<Customer>(type, "note", c => c.Note);
        bind.Field<Customer>(type, "locale", c => c.Locale ?? "en");
        bind.Field<Customer>(type, "createdAt", c => c.CreatedAt);
        bind.Field<Customer>(type, "updatedAt", c => c.UpdatedAt);
        bind.Field<Customer>(type, "validEmailAddress", c => c.Email is not null);
        bind.Field<Customer>(type, "taxExempt", c => c.TaxExempt);
        bind.Field<Customer>(type, "taxExemptions", _ => Array.Empty<string>());
        bind.Field<Customer>(type, "canDelete", c => c.Orders.IsEmpty);
        bind.Field<Customer>(type, "defaultAddress", (c, f) => ProtectedField(f, c.DefaultAddress));
        bind.Field<Customer>(type, "addresses", (c, f) => c.Addresses.Take(f.GetArgument<int?>("first") ?? int.MaxValue).ToList());
        bind.Field<Customer>(type, "addressesV2", (c, f) => Connections.Page(c.Addresses, a => SortKey(a.Id), f, Bool(f, "reverse")));
        bind.Field<Customer>(type, "lastOrder", c => c.LastOrder is { } o ? new OrderView(c, o) : null);
        bind.Field<Customer>(type, "orders", (c, f) => OrdersPage(c, f));
        bind.Field<Customer>(type, "metafield", (c, f) =>
        {
            var (space, key) = (String(f, "namespace") ?? "custom", String(f, "key"));
            return c.Metafields.TryGetValue($"{space}.{key}", out var value) ? new MetafieldValue(space, key!, value) : null;
        });

        // Commerce signals: numberOfOrders, amountSpent, tags, emailMarketingConsent, state and verifiedEmail,
        // read from the customer model (Customers/CustomerModel.cs).
        bind.Field<Customer>(type, "numberOfOrders", c => c.NumberOfOrders.ToString(CultureInfo.InvariantCulture));
        bind.Field<Customer>(type, "amountSpent", (c, f) => new Money(c.AmountSpent, Admin(f).Shop.Currency));
        bind.Field<Customer>(type, "tags", c => c.Tags);
        bind.Field<Customer>(type, "emailMarketingConsent", c => c.Email is null ? null : new EmailAddressValue(c.Email, c.EmailMarketingState));
        bind.Field<Customer>(type, "state", c => c.State);
        bind.Field<Customer>(type, "verifiedEmail", c => c.VerifiedEmail);

        bind.Field<MetafieldValue>("Metafield", "namespace", m => m.Namespace);
        bind.Field<MetafieldValue>("Metafield", "key", m => m.Key);
        bind.Field<MetafieldValue>("Metafield", "value", m => m.Value);
        bind.Field<EmailAddressValue>("CustomerEmailAddress", "emailAddress", e => e.EmailAddress);
        bind.Field<EmailAddressValue>("CustomerEmailAddress", "marketingState", e => e.MarketingState);
        bind.Field<EmailAddressValue>("CustomerEmailMarketingConsentState", "marketingState", e => e.MarketingState);
        bind.Field<EmailAddressValue>("CustomerEmailMarketingConsentState", "marketingOptInLevel", e => e.MarketingState == "SUBSCRIBED" ? "SINGLE_OPT_IN" : null);
        bind.Field<PhoneNumberValue>("CustomerPhoneNumber", "phoneNumber", p => p.PhoneNumber);
        bind.Field<PhoneNumberValue>("CustomerPhoneNumber", "marketingState", p => p.MarketingState);
        bind.Field<PhoneNumberValue>("CustomerSmsMarketingConsentState", "marketingState", p => p.MarketingState);

        const string address = "MailingAddress";
        bind.IsTypeOf<MailingAddress>(address);
        bind.Field<MailingAddress>(address, "id", a => Gid.For("MailingAddress", a.Id) + "?model_name=CustomerAddress");
        bind.Field<MailingAddress>(address, "firstName", a => a.FirstName);
        bind.Field<MailingAddress>(address, "lastName", a => a.LastName);
        bind.Field<MailingAddress>(address, "name", a => a.Name);
        bind.Field<MailingAddress>(address, "company", a => a.Company);
        bind.Field<MailingAddress>(address, "address1", a => a.Address1);
        bind.Field<MailingAddress>(address, "address2", a => a.Address2);
        bind.Field<MailingAddress>(address, "city", a => a.City);
        bind.Field<MailingAddress>(address, "province", a => a.Province);
        bind.Field<MailingAddress>(address, "provinceCode", a => a.ProvinceCode);
        bind.Field<MailingAddress>(address, "country", a => a.Country);
        bind.Field<MailingAddress>(address, "countryCodeV2", a => a.CountryCode);
        bind.Field<MailingAddress>(address, "zip", a => a.Zip);
        bind.Field<MailingAddress>(address, "phone", a => a.Phone);
        bind.Field<MailingAddress>(address, "formattedArea", a => string.Join(", ", new[] { a.City, a.ProvinceCode ?? a.Province, a.Country }.Where(p => !string.IsNullOrEmpty(p))));
        bind.Field<MailingAddress>(address, "formatted", a => new[] { a.Company, a.Address1, a.Address2, string.Join(' ', new[] { a.City, a.ProvinceCode, a.Zip }.Where(p => !string.IsNullOrEmpty(p))), a.Country }.Where(p => !string.IsNullOrEmpty(p)).ToList());
    }

    private static ConnectionPage OrdersPage(Customer customer, IResolveFieldContext context)
    {
        var query = String(context, "query");
        Func<Order, bool> filter = _ => true;
        if (!string.IsNullOrWhiteSpace(query))
        {
            var status = query.Replace(" ", string.Empty, StringComparison.Ordinal).ToLowerInvariant();
            filter = status switch
            {
                "status:open" => o => o.IsOpen,
                "status:closed" => o => o.ClosedAt is not null && o.CancelledAt is null,
                "status:cancelled" => o => o.CancelledAt is not null,
                "status:any" => _ => true,
                _ => throw new ShopifyError($"The emulator supports orders(query:) filters status:open|closed|cancelled|any only, got '{query}'", "BAD_REQUEST"),
            };
        }

        Func<Order, string> key = String(context, "sortKey") switch
        {
            "CREATED_AT" => o => SortKey(o.CreatedAt, o.Id),
            "PROCESSED_AT" => o => SortKey(o.ProcessedAt, o.Id),
            "TOTAL_PRICE" => o => o.Total.ToString("000000000000.00", CultureInfo.InvariantCulture) + SortKey(o.Id),
            _ => o => SortKey(o.Id),
        };
        var page = Connections.Page(customer.Orders.Where(filter), key, context, Bool(context, "reverse"));
        return page with { Edges = [.. page.Edges.Select(e => e with { Node = new OrderView(customer, (Order)e.Node) })] };
    }

    private static void BindOrders(Bindings bind)
    {
        const string type = "Order";
        bind.IsTypeOf<OrderView>(type);
        bind.Field<OrderView>(type, "id", o => Gid.For("Order", o.Order.Id));
        bind.Field<OrderView>(type, "legacyResourceId", o => o.Order.Id.ToString(CultureInfo.InvariantCulture));
        bind.Field<OrderView>(type, "name", o => o.Order.Name);
        bind.Field<OrderView>(type, "createdAt", o => o.Order.CreatedAt);
        bind.Field<OrderView>(type, "processedAt", o => o.Order.ProcessedAt);
        bind.Field<OrderView>(type, "closedAt", o => o.Order.ClosedAt);
        bind.Field<OrderView>(type, "cancelledAt", o => o.Order.CancelledAt);
        bind.Field<OrderView>(type, "closed", o => o.Order.ClosedAt is not null);
        bind.Field<OrderView>(type, "displayFinancialStatus", o => o.Order.FinancialStatus);
        bind.Field<OrderView>(type, "displayFulfillmentStatus", o => o.Order.FulfillmentStatus);
        bind.Field<OrderView>(type, "statusPageUrl", (o, f) => $"https://{Admin(f).Shop.Domain}/{Admin(f).Shop.ShopId}/orders/{o.Order.Id:x}/authenticate?key=emulator");
        bind.Field<OrderView>(type, "customer", o => o.Customer);
        bind.Field<OrderView>(type, "currencyCode", o => o.Order.Currency);
        bind.Field<OrderView>(type, "currentTotalPriceSet", o => new Money(o.Order.CancelledAt is null ? o.Order.Total : 0m, o.Order.Currency));
        bind.Field<OrderView>(type, "totalPriceSet", o => new Money(o.Order.Total, o.Order.Currency));
        bind.Field<OrderView>(type, "subtotalPriceSet", o => new Money(o.Order.Subtotal, o.Order.Currency));
        bind.Field<OrderView>(type, "totalShippingPriceSet", o => new Money(o.Order.Shipping, o.Order.Currency));
        bind.Field<OrderView>(type, "currentSubtotalPriceSet", o => new Money(o.Order.CancelledAt is null ? o.Order.Subtotal : 0m, o.Order.Currency));
        bind.Field<OrderView>(type, "currentShippingPriceSet", o => new Money(o.Order.CancelledAt is null ? o.Order.Shipping : 0m, o.Order.Currency));

        // The emulator's orders carry no tax lines.
        bind.Field<OrderView>(type, "currentTotalTaxSet", o => new Money(0m, o.Order.Currency));
        bind.Field<OrderView>(type, "lineItems", (o, f) => Connections.Page(o.Order.LineItems.Select(l => new LineItemView(o, l)), l => SortKey(l.Item.Id), f, Bool(f, "reverse")));

        const string line = "LineItem";
        bind.IsTypeOf<LineItemView>(line);
        bind.Field<LineItemView>(line, "id", l => Gid.For("LineItem", l.Item.Id));
        bind.Field<LineItemView>(line, "title", l => l.Item.Title);
        bind.Field<LineItemView>(line, "name", l => l.Item.VariantTitle is null ? l.Item.Title : $"{l.Item.Title} - {l.Item.VariantTitle}");
        bind.Field<LineItemView>(line, "quantity", l => l.Item.Quantity);
        bind.Field<LineItemView>(line, "currentQuantity", l => l.Order.Order.CancelledAt is null ? l.Item.Quantity : 0);

        // No discounts in the emulator: the discounted total is the original total.
        bind.Field<LineItemView>(line, "discountedTotalSet", l => new Money(l.Item.UnitPrice * l.Item.Quantity, l.Order.Order.Currency));
        bind.Field<LineItemView>(line, "sku", l => l.Item.Sku);
        bind.Field<LineItemView>(line, "variantTitle", l => l.Item.VariantTitle);
        bind.Field<LineItemView>(line, "originalUnitPriceSet", l => new Money(l.Item.UnitPrice, l.Order.Order.Currency));
        bind.Field<LineItemView>(line, "originalTotalSet", l => new Money(l.Item.UnitPrice * l.Item.Quantity, l.Order.Order.Currency));

        bind.Field<Money>("MoneyBag", "shopMoney", m => m);
        bind.Field<Money>("MoneyBag", "presentmentMoney", m => m);
        bind.Field<Money>("MoneyV2", "amount", m => m.Amount);
        bind.Field<Money>("MoneyV2", "currencyCode", m => m.CurrencyCode);
    }

    private static void BindBulkAndWebhooks(Bindings bind)
    {
        const string bulk = "BulkOperation";
        bind.IsTypeOf<BulkOperation>(bulk);
        bind.Field<BulkOperation>(bulk, "id", b => Gid.For("BulkOperation", b.Id));
        bind.Field<BulkOperation>(bulk, "status", b => b.Status);
        bind.Field<BulkOperation>(bulk, "errorCode", b => b.ErrorCode);
        bind.Field<BulkOperation>(bulk, "createdAt", b => b.CreatedAt);
        bind.Field<BulkOperation>(bulk, "completedAt", b => b.CompletedAt);
        bind.Field<BulkOperation>(bulk, "objectCount", b => b.ObjectCount.ToString(CultureInfo.InvariantCulture));
        bind.Field<BulkOperation>(bulk, "rootObjectCount", b => b.RootObjectCount.ToString(CultureInfo.InvariantCulture));
        bind.Field<BulkOperation>(bulk, "fileSize", b => b.Status == "COMPLETED" ? b.FileSize.ToString(CultureInfo.InvariantCulture) : null);
        bind.Field<BulkOperation>(bulk, "url", b => b.Url);
        bind.Field<BulkOperation>(bulk, "partialDataUrl", _ => null);
        bind.Field<BulkOperation>(bulk, "query", b => b.Query);
        bind.Field<BulkOperation>(bulk, "type", _ => "QUERY");

        const string subscription = "WebhookSubscription";
        bind.IsTypeOf<WebhookSubscription>(subscription);
        bind.Field<WebhookSubscription>(subscription, "id", s => Gid.For("WebhookSubscription", s.Id));
        bind.Field<WebhookSubscription>(subscription, "legacyResourceId", s => s.Id.ToString(CultureInfo.InvariantCulture));
        bind.Field<WebhookSubscription>(subscription, "topic", s => s.Topic);
        bind.Field<WebhookSubscription>(subscription, "format", s => s.Format);
        bind.Field<WebhookSubscription>(subscription, "callbackUrl", s => s.CallbackUrl.ToString());
        bind.Field<WebhookSubscription>(subscription, "uri", s => s.CallbackUrl.ToString());
        bind.Field<WebhookSubscription>(subscription, "endpoint", s => s);
        bind.Field<WebhookSubscription>(subscription, "includeFields", s => s.IncludeFields);
        bind.Field<WebhookSubscription>(subscription, "apiVersion", s => s.ApiVersion);
        bind.Field<WebhookSubscription>(subscription, "createdAt", s => s.CreatedAt);
        bind.Field<WebhookSubscription>(subscription, "updatedAt", s => s.CreatedAt);
        bind.IsTypeOf<WebhookSubscription>("WebhookHttpEndpoint");
        bind.Field<WebhookSubscription>("WebhookHttpEndpoint", "callbackUrl", s => s.CallbackUrl.ToString());
        bind.Field<string>("ApiVersion", "handle", v => v);
        bind.Field<string>("ApiVersion", "displayName", v => v);
        bind.Field<string>("ApiVersion", "supported", _ => true);
    }

    private static void BindShared(Bindings bind)
    {
        foreach (var node in new[] { "Customer", "MailingAddress", "Order", "LineItem", "WebhookSubscription" })
        {
            bind.Field<ConnectionPage>(node + "Connection", "edges", p => p.Edges);
            bind.Field<ConnectionPage>(node + "Connection", "nodes", p => p.Edges.Select(e => e.Node).ToList());
            bind.Field<ConnectionPage>(node + "Connection", "pageInfo", p => p);
            bind.Field<Edge>(node + "Edge", "cursor", e => e.Cursor);
            bind.Field<Edge>(node + "Edge", "node", e => e.Node);
        }

        bind.Field<ConnectionPage>("PageInfo", "hasNextPage", p => p.HasNextPage);
        bind.Field<ConnectionPage>("PageInfo", "hasPreviousPage", p => p.HasPreviousPage);
        bind.Field<ConnectionPage>("PageInfo", "startCursor", p => p.StartCursor);
        bind.Field<ConnectionPage>("PageInfo", "endCursor", p => p.EndCursor);
        bind.Field<CountValue>("Count", "count", c => (int)Math.Min(c.Count, int.MaxValue));
        bind.Field<CountValue>("Count", "precision", c => c.Precision);
        bind.IsTypeOf<Shop>("Shop");
        bind.Field<Shop>("Shop", "id", s => Gid.For("Shop", s.ShopId));
        bind.Field<Shop>("Shop", "name", s => s.Domain.Split('.')[0]);
        bind.Field<Shop>("Shop", "myshopifyDomain", s => s.Domain);
        bind.Field<Shop>("Shop", "currencyCode", s => s.Currency);
        bind.Field<Shop>("Shop", "plan", (_, f) => Admin(f).State.Options.Plan);
        bind.Field<Throttling.ShopifyPlan>("ShopPlan", "displayName", p => p.ToString());
        bind.Field<Throttling.ShopifyPlan>("ShopPlan", "shopifyPlus", p => p == Throttling.ShopifyPlan.Plus);
    }

    /// <summary>Binds resolvers to the SDL's fields; each resolved value is counted towards the request's actual cost.</summary>
    private sealed class Bindings(SchemaBuilder builder)
    {
        public void Field<TSource>(string type, string field, Func<TSource, object?> resolve) => Field<TSource>(type, field, (source, _) => resolve(source));

        public void Field<TSource>(string type, string field, Func<TSource, IResolveFieldContext, object?> resolve) =>
            builder.Types.For(type).FieldFor(field).Resolver = new FuncFieldResolver<object>(context =>
            {
                var value = resolve((TSource)context.Source!, context);
                Request(context.UserContext).AddActualCost(QueryCost.Actual(context, value));
                return value;
            });

        public void IsTypeOf<TSource>(string type) => builder.Types.For(type).IsTypeOf<TSource>();
    }
}
