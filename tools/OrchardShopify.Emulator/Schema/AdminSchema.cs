using System.Globalization;
using OrchardShopify.Emulator.Bulk;
using OrchardShopify.Emulator.Control;
using OrchardShopify.Emulator.Customers;
using OrchardShopify.Emulator.GraphQL;
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

public sealed record QueryRoot;

public sealed record MutationRoot;

/// <summary>The slice of Shopify's Admin GraphQL schema (2026-10) that a customer sync touches.</summary>
public static class AdminSchema
{
    private static readonly ArgumentDefinition First = new("first", "Int");
    private static readonly ArgumentDefinition After = new("after", "String");
    private static readonly ArgumentDefinition Last = new("last", "Int");
    private static readonly ArgumentDefinition Before = new("before", "String");
    private static readonly ArgumentDefinition Reverse = new("reverse", "Boolean");
    private static readonly ArgumentDefinition SortKey = new("sortKey", "String");
    private static readonly ArgumentDefinition Query = new("query", "String");

    public static SchemaDefinition Build()
    {
        var schema = new SchemaDefinition("QueryRoot", "Mutation");
        DefineQueryRoot(schema);
        DefineMutations(schema);
        DefineCustomer(schema);
        DefineOrders(schema);
        DefineBulkAndWebhooks(schema);
        DefineShared(schema);
        return schema;
    }

    private static AdminContext Admin(FieldContext context) => (AdminContext)context.Execution.Services;

    private static ProtectedCustomerDataAccess CustomerDataAccess(FieldContext context) => Admin(context).State.Faults.Current.ProtectedCustomerData;

    /// <summary>An app not approved for protected customer data cannot reach the Customer object: the field is null, with Shopify's error.</summary>
    private static void RequireCustomerObject(FieldContext context)
    {
        if (CustomerDataAccess(context) == ProtectedCustomerDataAccess.NotApproved)
        {
            throw new GraphQLException(ProtectedCustomerDataMessages.CustomerObject, context.Selection.Location, ProtectedCustomerDataMessages.AccessDenied);
        }
    }

    /// <summary>A customer's name, email, phone or address field: null, with Shopify's error, unless the app is approved for it.</summary>
    private static T? ProtectedField<T>(FieldContext context, T? value)
    {
        if (CustomerDataAccess(context) != ProtectedCustomerDataAccess.Approved)
        {
            throw new GraphQLException(ProtectedCustomerDataMessages.CustomerObject, context.Selection.Location, ProtectedCustomerDataMessages.AccessDenied);
        }

        return value;
    }

    private static string Decimal(decimal value) => value.ToString("0.0#", CultureInfo.InvariantCulture);

    private static long RequireId(FieldContext context, string? gid, string type, string argument = "id")
    {
        if (Gid.TryParse(gid, type, out var id))
        {
            return id;
        }

        throw new GraphQLException($"Invalid global id '{gid}'", context.Selection.Location, "argumentLiteralsIncompatible");
    }

    private static void DefineQueryRoot(SchemaDefinition schema)
    {
        schema.ObjectType("QueryRoot")
            .Field<QueryRoot>("customer", "Customer", (_, c) => { RequireCustomerObject(c); return Admin(c).Shop.Find(RequireId(c, c.GetString("id"), "Customer")); }, new ArgumentDefinition("id", "ID!"))
            .Field<QueryRoot>("customers", "CustomerConnection!", (_, c) => { RequireCustomerObject(c); return CustomersPage(c); }, First, After, Last, Before, Query, SortKey, Reverse)
            .Field<QueryRoot>("customerByIdentifier", "Customer", (_, c) => { RequireCustomerObject(c); return FindByIdentifier(c); }, new ArgumentDefinition("identifier", "CustomerIdentifierInput!"))
            .Field<QueryRoot>("customersCount", "Count", (_, c) =>
            {
                RequireCustomerObject(c);
                var filter = CustomerSearch.Compile(c.GetString("query"));
                var count = Admin(c).Shop.Snapshot().LongCount(filter);
                var limit = c.GetInt("limit") ?? 10_000;
                return count > limit ? new CountValue(limit, "AT_LEAST") : new CountValue(count, "EXACT");
            }, Query, new ArgumentDefinition("limit", "Int"))
            .Field<QueryRoot>("bulkOperation", "BulkOperation", (_, c) => Admin(c).State.Bulk.Find(Admin(c).Shop.Domain, RequireId(c, c.GetString("id"), "BulkOperation")), new ArgumentDefinition("id", "ID!"))
            .Field<QueryRoot>("currentBulkOperation", "BulkOperation", (_, c) => Admin(c).State.Bulk.Current(Admin(c).Shop.Domain), new ArgumentDefinition("type", "BulkOperationType"))
            .Field<QueryRoot>("webhookSubscription", "WebhookSubscription", (_, c) => Admin(c).State.Subscriptions.Find(Admin(c).Shop.Domain, RequireId(c, c.GetString("id"), "WebhookSubscription")), new ArgumentDefinition("id", "ID!"))
            .Field<QueryRoot>("webhookSubscriptions", "WebhookSubscriptionConnection!", (_, c) => WebhookSubscriptionsPage(c), First, After, Last, Before, Reverse, SortKey, Query, new ArgumentDefinition("topics", "[WebhookSubscriptionTopic!]"), new ArgumentDefinition("callbackUrl", "URL"), new ArgumentDefinition("uri", "String"), new ArgumentDefinition("format", "WebhookSubscriptionFormat"))
            .Field<QueryRoot>("shop", "Shop!", (_, c) => Admin(c).Shop);
    }

    private static ConnectionPage CustomersPage(FieldContext context)
    {
        var filter = CustomerSearch.Compile(context.GetString("query"));
        var sortKey = context.GetString("sortKey") ?? "ID";
        Func<Customer, string> key = sortKey switch
        {
            "ID" or "RELEVANCE" => c => c.Id.ToString("D20", CultureInfo.InvariantCulture),
            "UPDATED_AT" => c => c.UpdatedAt.UtcTicks.ToString("D20", CultureInfo.InvariantCulture) + c.Id.ToString("D20", CultureInfo.InvariantCulture),
            "CREATED_AT" => c => c.CreatedAt.UtcTicks.ToString("D20", CultureInfo.InvariantCulture) + c.Id.ToString("D20", CultureInfo.InvariantCulture),
            "NAME" => c => c.DisplayName.ToUpperInvariant() + "\u0001" + c.Id.ToString("D20", CultureInfo.InvariantCulture),
            "LOCATION" => c => (c.DefaultAddress?.City ?? string.Empty).ToUpperInvariant() + "\u0001" + c.Id.ToString("D20", CultureInfo.InvariantCulture),
            _ => throw new GraphQLException($"Argument 'sortKey' on Field 'customers' has an invalid value ({sortKey}). Expected type 'CustomerSortKeys'.", context.Selection.Location, "argumentLiteralsIncompatible"),
        };
        return Pagination.Page(Admin(context).Shop.Snapshot().Where(filter), key, context, context.GetBool("reverse") ?? false);
    }

    private static ConnectionPage WebhookSubscriptionsPage(FieldContext context)
    {
        var admin = Admin(context);
        var topics = context.GetList("topics")?.Select(t => t?.ToString()).ToHashSet(StringComparer.Ordinal);
        var callbackUrl = context.GetString("callbackUrl") ?? context.GetString("uri");
        var subscriptions = admin.State.Subscriptions.ForShop(admin.Shop.Domain)
            .Where(s => topics is null || topics.Contains(s.Topic))
            .Where(s => callbackUrl is null || s.CallbackUrl.ToString() == new Uri(callbackUrl).ToString());
        return Pagination.Page(subscriptions, s => s.Id.ToString("D20", CultureInfo.InvariantCulture), context, context.GetBool("reverse") ?? false);
    }

    private static Customer? FindByIdentifier(FieldContext context)
    {
        var identifier = context.GetObject("identifier")!;
        var shop = Admin(context).Shop;
        var given = identifier.Where(p => p.Value is not null).ToList();
        if (given.Count != 1)
        {
            throw new GraphQLException("CustomerIdentifierInput requires exactly one of id, emailAddress, phoneNumber or customId", context.Selection.Location, "INVALID_VARIABLE");
        }

        var (name, value) = given[0];
        return name switch
        {
            "id" => shop.Find(RequireId(context, value as string, "Customer")),
            "emailAddress" => shop.FindByEmail((string)value!),
            "phoneNumber" => shop.FindByPhone((string)value!),
            "customId" when value is IReadOnlyDictionary<string, object?> custom =>
                shop.FindByMetafield($"{custom.GetValueOrDefault("namespace") ?? "custom"}.{custom.GetValueOrDefault("key")}", custom.GetValueOrDefault("value")?.ToString() ?? string.Empty),
            _ => throw new GraphQLException($"CustomerIdentifierInput has no field '{name}'", context.Selection.Location, "INVALID_VARIABLE"),
        };
    }

    private static void DefineMutations(SchemaDefinition schema)
    {
        schema.ObjectType("Mutation")
            .Field<MutationRoot>("customerCreate", "CustomerCreatePayload", (_, c) =>
            {
                RequireCustomerObject(c);
                var admin = Admin(c);
                var (customer, errors, change) = admin.Shop.Create(c.GetObject("input")!);
                Publish(admin, change);
                return new CustomerPayload(customer, errors);
            }, new ArgumentDefinition("input", "CustomerInput!"))
            .Field<MutationRoot>("customerUpdate", "CustomerUpdatePayload", (_, c) =>
            {
                RequireCustomerObject(c);
                var admin = Admin(c);
                var input = c.GetObject("input")!;
                if (input.GetValueOrDefault("id") is not string gid)
                {
                    return new CustomerPayload(null, [new UserError(["id"], "Customer does not exist")]);
                }

                var (customer, errors, change) = admin.Shop.Update(RequireId(c, gid, "Customer"), input);
                Publish(admin, change);
                return new CustomerPayload(customer, errors);
            }, new ArgumentDefinition("input", "CustomerInput!"))
            .Field<MutationRoot>("customerDelete", "CustomerDeletePayload", (_, c) =>
            {
                RequireCustomerObject(c);
                var admin = Admin(c);
                var id = RequireId(c, c.GetObject("input")!.GetValueOrDefault("id") as string, "Customer");
                var (deleted, errors, change) = admin.Shop.Delete(id);
                Publish(admin, change);
                return new CustomerDeletePayload(deleted is { } d ? Gid.For("Customer", d) : null, admin.Shop, errors);
            }, new ArgumentDefinition("input", "CustomerDeleteInput!"))
            .Field<MutationRoot>("customerAddressCreate", "CustomerAddressCreatePayload", (_, c) =>
            {
                RequireCustomerObject(c);
                var admin = Admin(c);
                var (address, errors, change) = admin.Shop.AddAddress(RequireId(c, c.GetString("customerId"), "Customer", "customerId"), c.GetObject("address")!, c.GetBool("setAsDefault") ?? false);
                Publish(admin, change);
                return new AddressPayload(address, errors);
            }, new ArgumentDefinition("customerId", "ID!"), new ArgumentDefinition("address", "MailingAddressInput!"), new ArgumentDefinition("setAsDefault", "Boolean"))
            .Field<MutationRoot>("customerAddressUpdate", "CustomerAddressUpdatePayload", (_, c) =>
            {
                RequireCustomerObject(c);
                var admin = Admin(c);
                var (address, errors, change) = admin.Shop.UpdateAddress(
                    RequireId(c, c.GetString("customerId"), "Customer", "customerId"),
                    RequireId(c, c.GetString("addressId"), "MailingAddress", "addressId"),
                    c.GetObject("address")!,
                    c.GetBool("setAsDefault") ?? false);
                Publish(admin, change);
                return new AddressPayload(address, errors);
            }, new ArgumentDefinition("customerId", "ID!"), new ArgumentDefinition("addressId", "ID!"), new ArgumentDefinition("address", "MailingAddressInput!"), new ArgumentDefinition("setAsDefault", "Boolean"))
            .Field<MutationRoot>("customerAddressDelete", "CustomerAddressDeletePayload", (_, c) =>
            {
                RequireCustomerObject(c);
                var admin = Admin(c);
                var (deleted, errors, change) = admin.Shop.DeleteAddress(
                    RequireId(c, c.GetString("customerId"), "Customer", "customerId"),
                    RequireId(c, c.GetString("addressId"), "MailingAddress", "addressId"));
                Publish(admin, change);
                return new AddressDeletePayload(deleted is { } d ? Gid.For("MailingAddress", d) + "?model_name=CustomerAddress" : null, errors);
            }, new ArgumentDefinition("customerId", "ID!"), new ArgumentDefinition("addressId", "ID!"))
            .Field<MutationRoot>("customerSet", "CustomerSetPayload", (_, c) => { RequireCustomerObject(c); return CustomerSet(c); }, new ArgumentDefinition("identifier", "CustomerSetIdentifiers"), new ArgumentDefinition("input", "CustomerSetInput!"))
            .Field<MutationRoot>("bulkOperationRunQuery", "BulkOperationRunQueryPayload", (_, c) =>
            {
                var admin = Admin(c);
                if (CustomerDataAccess(c) != ProtectedCustomerDataAccess.Approved)
                {
                    // The emulator's bulk queries read customers and their profile fields only: refused as those are.
                    return new BulkOperationRunQueryPayload(null, [new UserError(["query"], ProtectedCustomerDataMessages.CustomerObject, ProtectedCustomerDataMessages.AccessDenied)]);
                }

                var (operation, errors) = admin.State.Bulk.Start(admin.Shop, c.GetString("query")!, admin.BaseUrl);
                return new BulkOperationRunQueryPayload(operation, errors);
            }, new ArgumentDefinition("query", "String!"), new ArgumentDefinition("groupObjects", "Boolean"))
            .Field<MutationRoot>("webhookSubscriptionCreate", "WebhookSubscriptionCreatePayload", (_, c) => CreateSubscription(c), new ArgumentDefinition("topic", "WebhookSubscriptionTopic!"), new ArgumentDefinition("webhookSubscription", "WebhookSubscriptionInput!"))
            .Field<MutationRoot>("webhookSubscriptionDelete", "WebhookSubscriptionDeletePayload", (_, c) =>
            {
                var admin = Admin(c);
                var id = RequireId(c, c.GetString("id"), "WebhookSubscription");
                return admin.State.Subscriptions.Remove(admin.Shop.Domain, id)
                    ? new WebhookSubscriptionDeletePayload(Gid.For("WebhookSubscription", id), [])
                    : new WebhookSubscriptionDeletePayload(null, [new UserError(["id"], "Webhook subscription does not exist")]);
            }, new ArgumentDefinition("id", "ID!"));

        foreach (var payload in new[] { "CustomerCreatePayload", "CustomerUpdatePayload" })
        {
            schema.ObjectType(payload)
                .Field<CustomerPayload>("customer", "Customer", p => p.Customer)
                .Field<CustomerPayload>("userErrors", "[UserError!]!", p => p.UserErrors);
        }

        foreach (var payload in new[] { "CustomerAddressCreatePayload", "CustomerAddressUpdatePayload" })
        {
            schema.ObjectType(payload)
                .Field<AddressPayload>("address", "MailingAddress", p => p.Address)
                .Field<AddressPayload>("userErrors", "[UserError!]!", p => p.UserErrors);
        }

        schema.ObjectType("CustomerAddressDeletePayload")
            .Field<AddressDeletePayload>("deletedAddressId", "ID", p => p.DeletedAddressId)
            .Field<AddressDeletePayload>("userErrors", "[UserError!]!", p => p.UserErrors);
        schema.ObjectType("CustomerSetPayload")
            .Field<CustomerPayload>("customer", "Customer", p => p.Customer)
            .Field<CustomerPayload>("userErrors", "[CustomerSetUserError!]!", p => p.UserErrors);
        schema.ObjectType("CustomerDeletePayload")
            .Field<CustomerDeletePayload>("deletedCustomerId", "ID", p => p.DeletedCustomerId)
            .Field<CustomerDeletePayload>("shop", "Shop!", p => p.Shop)
            .Field<CustomerDeletePayload>("userErrors", "[UserError!]!", p => p.UserErrors);
        schema.ObjectType("BulkOperationRunQueryPayload")
            .Field<BulkOperationRunQueryPayload>("bulkOperation", "BulkOperation", p => p.BulkOperation)
            .Field<BulkOperationRunQueryPayload>("userErrors", "[BulkOperationUserError!]!", p => p.UserErrors);
        schema.ObjectType("WebhookSubscriptionCreatePayload")
            .Field<WebhookSubscriptionPayload>("webhookSubscription", "WebhookSubscription", p => p.WebhookSubscription)
            .Field<WebhookSubscriptionPayload>("userErrors", "[UserError!]!", p => p.UserErrors);
        schema.ObjectType("WebhookSubscriptionDeletePayload")
            .Field<WebhookSubscriptionDeletePayload>("deletedWebhookSubscriptionId", "ID", p => p.DeletedWebhookSubscriptionId)
            .Field<WebhookSubscriptionDeletePayload>("userErrors", "[UserError!]!", p => p.UserErrors);
        schema.ObjectType("UserError", "DisplayableError")
            .Field<UserError>("field", "[String!]", e => e.Field)
            .Field<UserError>("message", "String!", e => e.Message);
        foreach (var coded in new[] { "CustomerSetUserError", "BulkOperationUserError" })
        {
            schema.ObjectType(coded, "DisplayableError")
                .Field<UserError>("code", "String", e => e.Code is null ? null : new EnumLiteral(e.Code))
                .Field<UserError>("field", "[String!]", e => e.Field)
                .Field<UserError>("message", "String!", e => e.Message);
        }
    }

    private static void Publish(AdminContext admin, CustomerEvent? change)
    {
        if (change is not null)
        {
            admin.State.Publish(change);
        }
    }

    private static CustomerPayload CustomerSet(FieldContext context)
    {
        var admin = Admin(context);
        var shop = admin.Shop;
        var input = context.GetObject("input")!;
        var identifier = context.GetObject("identifier");
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
                    "id" => shop.Find(RequireId(context, value as string, "Customer"))
                        ?? throw new GraphQLException("Resource matching the identifier was not found.", context.Selection.Location, "NOT_FOUND"),
                    "email" => shop.FindByEmail((string)value!),
                    "phone" => shop.FindByPhone((string)value!),
                    "customId" when value is IReadOnlyDictionary<string, object?> custom =>
                        shop.FindByMetafield($"{custom.GetValueOrDefault("namespace") ?? "custom"}.{custom.GetValueOrDefault("key")}", custom.GetValueOrDefault("value")?.ToString() ?? string.Empty),
                    _ => throw new GraphQLException($"CustomerSetIdentifiers has no field '{name}'", context.Selection.Location, "INVALID_VARIABLE"),
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

    private static WebhookSubscriptionPayload CreateSubscription(FieldContext context)
    {
        var admin = Admin(context);
        var topic = context.GetString("topic")!;
        if (!WebhookTopics.Known.Contains(topic))
        {
            throw new GraphQLException($"Argument 'topic' on Field 'webhookSubscriptionCreate' has an invalid value ({topic}). Expected type 'WebhookSubscriptionTopic!'.", context.Selection.Location, "argumentLiteralsIncompatible");
        }

        if (CustomerDataAccess(context) == ProtectedCustomerDataAccess.NotApproved && ProtectedCustomerDataMessages.IsProtectedTopic(topic))
        {
            return new WebhookSubscriptionPayload(null, [new UserError(["webhookSubscription"], ProtectedCustomerDataMessages.WebhookTopics)]);
        }

        var input = context.GetObject("webhookSubscription")!;
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

        var includeFields = (input.GetValueOrDefault("includeFields") as IReadOnlyList<object?>)?.Select(f => f?.ToString() ?? string.Empty).ToList() ?? [];
        var (subscription, error) = admin.State.Subscriptions.Add(admin.Shop.Domain, topic, uri, format, includeFields, admin.ApiVersion, admin.State.Time.GetUtcNow());
        return error is null
            ? new WebhookSubscriptionPayload(subscription, [])
            : new WebhookSubscriptionPayload(null, [new UserError(["webhookSubscription", "callbackUrl"], error)]);
    }

    private static void DefineCustomer(SchemaDefinition schema)
    {
        schema.ObjectType("Customer", "Node", "HasMetafields", "LegacyInteroperability", "CommentEventSubject", "HasEvents")
            .Field<Customer>("id", "ID!", c => Gid.For("Customer", c.Id))
            .Field<Customer>("legacyResourceId", "UnsignedInt64!", c => c.Id.ToString(CultureInfo.InvariantCulture))
            .Field<Customer>("firstName", "String", (c, f) => ProtectedField(f, c.FirstName))
            .Field<Customer>("lastName", "String", (c, f) => ProtectedField(f, c.LastName))
            .Field<Customer>("displayName", "String!", c => c.DisplayName)
            .Field<Customer>("email", "String", (c, f) => ProtectedField(f, c.Email))
            .Field<Customer>("phone", "String", (c, f) => ProtectedField(f, c.Phone))
            .Field<Customer>("defaultEmailAddress", "CustomerEmailAddress", (c, f) => ProtectedField(f, c.Email is null ? null : new EmailAddressValue(c.Email, c.EmailMarketingState)))
            .Field<Customer>("defaultPhoneNumber", "CustomerPhoneNumber", (c, f) => ProtectedField(f, c.Phone is null ? null : new PhoneNumberValue(c.Phone, c.SmsMarketingState)))
            .Field<Customer>("emailMarketingConsent", "CustomerEmailMarketingConsentState", c => c.Email is null ? null : new EmailAddressValue(c.Email, c.EmailMarketingState))
            .Field<Customer>("smsMarketingConsent", "CustomerSmsMarketingConsentState", c => c.Phone is null ? null : new PhoneNumberValue(c.Phone, c.SmsMarketingState))
            .Field<Customer>("note", "String", c => c.Note)
            .Field<Customer>("state", "CustomerState!", c => new EnumLiteral(c.State))
            .Field<Customer>("tags", "[String!]!", c => c.Tags)
            .Field<Customer>("locale", "String!", c => c.Locale ?? "en")
            .Field<Customer>("createdAt", "DateTime!", c => c.CreatedAt)
            .Field<Customer>("updatedAt", "DateTime!", c => c.UpdatedAt)
            .Field<Customer>("numberOfOrders", "UnsignedInt64!", c => c.Orders.Length.ToString(CultureInfo.InvariantCulture))
            .Field<Customer>("amountSpent", "MoneyV2!", (c, f) => new Money(c.AmountSpent, Admin(f).Shop.Currency))
            .Field<Customer>("verifiedEmail", "Boolean!", c => c.VerifiedEmail)
            .Field<Customer>("validEmailAddress", "Boolean!", c => c.Email is not null)
            .Field<Customer>("taxExempt", "Boolean!", c => c.TaxExempt)
            .Field<Customer>("taxExemptions", "[TaxExemption!]!", _ => Array.Empty<string>())
            .Field<Customer>("canDelete", "Boolean!", c => c.Orders.IsEmpty)
            .Field<Customer>("defaultAddress", "MailingAddress", (c, f) => ProtectedField(f, c.DefaultAddress))
            .Field<Customer>("addresses", "[MailingAddress!]!", (c, f) => c.Addresses.Take(f.GetInt("first") ?? int.MaxValue), First)
            .Field<Customer>("addressesV2", "MailingAddressConnection!", (c, f) => Pagination.Page(c.Addresses, a => a.Id.ToString("D20", CultureInfo.InvariantCulture), f, f.GetBool("reverse") ?? false), First, After, Last, Before, Reverse)
            .Field<Customer>("lastOrder", "Order", c => c.LastOrder is { } o ? new OrderView(c, o) : null)
            .Field<Customer>("orders", "OrderConnection!", (c, f) => OrdersPage(c, f), First, After, Last, Before, Query, SortKey, Reverse)
            .Field<Customer>("metafield", "Metafield", (c, f) =>
            {
                var key = $"{f.GetString("namespace") ?? "custom"}.{f.GetString("key")}";
                return c.Metafields.TryGetValue(key, out var value) ? new KeyValuePair<string, string>(key, value) : null;
            }, new ArgumentDefinition("namespace", "String"), new ArgumentDefinition("key", "String!"));

        schema.ObjectType("Metafield", "Node")
            .Field<KeyValuePair<string, string>>("namespace", "String!", m => m.Key[..m.Key.IndexOf('.', StringComparison.Ordinal)])
            .Field<KeyValuePair<string, string>>("key", "String!", m => m.Key[(m.Key.IndexOf('.', StringComparison.Ordinal) + 1)..])
            .Field<KeyValuePair<string, string>>("value", "String!", m => m.Value);
        schema.ObjectType("CustomerEmailAddress")
            .Field<EmailAddressValue>("emailAddress", "String", e => e.EmailAddress)
            .Field<EmailAddressValue>("marketingState", "CustomerEmailAddressMarketingState!", e => new EnumLiteral(e.MarketingState));
        schema.ObjectType("CustomerEmailMarketingConsentState")
            .Field<EmailAddressValue>("marketingState", "CustomerEmailMarketingState!", e => new EnumLiteral(e.MarketingState))
            .Field<EmailAddressValue>("marketingOptInLevel", "CustomerMarketingOptInLevel", e => e.MarketingState == "SUBSCRIBED" ? new EnumLiteral("SINGLE_OPT_IN") : null);
        schema.ObjectType("CustomerPhoneNumber")
            .Field<PhoneNumberValue>("phoneNumber", "String!", p => p.PhoneNumber)
            .Field<PhoneNumberValue>("marketingState", "CustomerSmsMarketingState!", p => new EnumLiteral(p.MarketingState));
        schema.ObjectType("CustomerSmsMarketingConsentState")
            .Field<PhoneNumberValue>("marketingState", "CustomerSmsMarketingState!", p => new EnumLiteral(p.MarketingState));

        schema.ObjectType("MailingAddress", "Node")
            .Field<MailingAddress>("id", "ID!", a => Gid.For("MailingAddress", a.Id) + "?model_name=CustomerAddress")
            .Field<MailingAddress>("firstName", "String", a => a.FirstName)
            .Field<MailingAddress>("lastName", "String", a => a.LastName)
            .Field<MailingAddress>("name", "String", a => a.Name)
            .Field<MailingAddress>("company", "String", a => a.Company)
            .Field<MailingAddress>("address1", "String", a => a.Address1)
            .Field<MailingAddress>("address2", "String", a => a.Address2)
            .Field<MailingAddress>("city", "String", a => a.City)
            .Field<MailingAddress>("province", "String", a => a.Province)
            .Field<MailingAddress>("provinceCode", "String", a => a.ProvinceCode)
            .Field<MailingAddress>("country", "String", a => a.Country)
            .Field<MailingAddress>("countryCodeV2", "CountryCode", a => a.CountryCode is null ? null : new EnumLiteral(a.CountryCode))
            .Field<MailingAddress>("zip", "String", a => a.Zip)
            .Field<MailingAddress>("phone", "String", a => a.Phone)
            .Field<MailingAddress>("formattedArea", "String", a => string.Join(", ", new[] { a.City, a.ProvinceCode ?? a.Province, a.Country }.Where(p => !string.IsNullOrEmpty(p))))
            .Field<MailingAddress>("formatted", "[String!]!", a => new[] { a.Company, a.Address1, a.Address2, string.Join(' ', new[] { a.City, a.ProvinceCode, a.Zip }.Where(p => !string.IsNullOrEmpty(p))), a.Country }.Where(p => !string.IsNullOrEmpty(p)).ToList());
    }

    private static ConnectionPage OrdersPage(Customer customer, FieldContext context)
    {
        var query = context.GetString("query");
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
                _ => throw new GraphQLException($"The emulator supports orders(query:) filters status:open|closed|cancelled|any only, got '{query}'", context.Selection.Location, "BAD_REQUEST"),
            };
        }

        var sortKey = context.GetString("sortKey") ?? "ID";
        Func<Order, string> key = sortKey switch
        {
            "ID" or "ORDER_NUMBER" => o => o.Id.ToString("D20", CultureInfo.InvariantCulture),
            "CREATED_AT" => o => o.CreatedAt.UtcTicks.ToString("D20", CultureInfo.InvariantCulture) + o.Id.ToString("D20", CultureInfo.InvariantCulture),
            "PROCESSED_AT" => o => o.ProcessedAt.UtcTicks.ToString("D20", CultureInfo.InvariantCulture) + o.Id.ToString("D20", CultureInfo.InvariantCulture),
            "TOTAL_PRICE" => o => o.Total.ToString("000000000000.00", CultureInfo.InvariantCulture) + o.Id.ToString("D20", CultureInfo.InvariantCulture),
            _ => throw new GraphQLException($"Argument 'sortKey' on Field 'orders' has an invalid value ({sortKey}). Expected type 'OrderSortKeys'.", context.Selection.Location, "argumentLiteralsIncompatible"),
        };
        var page = Pagination.Page(customer.Orders.Where(filter), key, context, context.GetBool("reverse") ?? false);
        return page with { Edges = [.. page.Edges.Select(e => e with { Node = new OrderView(customer, (Order)e.Node) })] };
    }

    private static void DefineOrders(SchemaDefinition schema)
    {
        schema.ObjectType("Order", "Node")
            .Field<OrderView>("id", "ID!", o => Gid.For("Order", o.Order.Id))
            .Field<OrderView>("legacyResourceId", "UnsignedInt64!", o => o.Order.Id.ToString(CultureInfo.InvariantCulture))
            .Field<OrderView>("name", "String!", o => o.Order.Name)
            .Field<OrderView>("createdAt", "DateTime!", o => o.Order.CreatedAt)
            .Field<OrderView>("processedAt", "DateTime!", o => o.Order.ProcessedAt)
            .Field<OrderView>("closedAt", "DateTime", o => o.Order.ClosedAt)
            .Field<OrderView>("cancelledAt", "DateTime", o => o.Order.CancelledAt)
            .Field<OrderView>("closed", "Boolean!", o => o.Order.ClosedAt is not null)
            .Field<OrderView>("displayFinancialStatus", "OrderDisplayFinancialStatus", o => new EnumLiteral(o.Order.FinancialStatus))
            .Field<OrderView>("displayFulfillmentStatus", "OrderDisplayFulfillmentStatus!", o => new EnumLiteral(o.Order.FulfillmentStatus))
            .Field<OrderView>("statusPageUrl", "URL!", (o, f) => $"https://{Admin(f).Shop.Domain}/{Admin(f).Shop.ShopId}/orders/{o.Order.Id:x}/authenticate?key=emulator")
            .Field<OrderView>("customer", "Customer", o => o.Customer)
            .Field<OrderView>("currencyCode", "CurrencyCode!", o => new EnumLiteral(o.Order.Currency))
            .Field<OrderView>("currentTotalPriceSet", "MoneyBag!", o => new Money(o.Order.CancelledAt is null ? o.Order.Total : 0m, o.Order.Currency))
            .Field<OrderView>("totalPriceSet", "MoneyBag!", o => new Money(o.Order.Total, o.Order.Currency))
            .Field<OrderView>("subtotalPriceSet", "MoneyBag", o => new Money(o.Order.Subtotal, o.Order.Currency))
            .Field<OrderView>("totalShippingPriceSet", "MoneyBag!", o => new Money(o.Order.Shipping, o.Order.Currency))
            .Field<OrderView>("currentSubtotalPriceSet", "MoneyBag!", o => new Money(o.Order.CancelledAt is null ? o.Order.Subtotal : 0m, o.Order.Currency))
            .Field<OrderView>("currentShippingPriceSet", "MoneyBag!", o => new Money(o.Order.CancelledAt is null ? o.Order.Shipping : 0m, o.Order.Currency))
            // The emulator's orders carry no tax lines.
            .Field<OrderView>("currentTotalTaxSet", "MoneyBag!", o => new Money(0m, o.Order.Currency))
            .Field<OrderView>("lineItems", "LineItemConnection!", (o, f) => Pagination.Page(o.Order.LineItems.Select(l => new KeyValuePair<OrderView, LineItem>(o, l)), l => l.Value.Id.ToString("D20", CultureInfo.InvariantCulture), f, f.GetBool("reverse") ?? false), First, After, Last, Before, Reverse);

        schema.ObjectType("LineItem", "Node")
            .Field<KeyValuePair<OrderView, LineItem>>("id", "ID!", l => Gid.For("LineItem", l.Value.Id))
            .Field<KeyValuePair<OrderView, LineItem>>("title", "String!", l => l.Value.Title)
            .Field<KeyValuePair<OrderView, LineItem>>("name", "String!", l => l.Value.VariantTitle is null ? l.Value.Title : $"{l.Value.Title} - {l.Value.VariantTitle}")
            .Field<KeyValuePair<OrderView, LineItem>>("quantity", "Int!", l => l.Value.Quantity)
            .Field<KeyValuePair<OrderView, LineItem>>("currentQuantity", "Int!", l => l.Key.Order.CancelledAt is null ? l.Value.Quantity : 0)
            // No discounts in the emulator: the discounted total is the original total.
            .Field<KeyValuePair<OrderView, LineItem>>("discountedTotalSet", "MoneyBag!", l => new Money(l.Value.UnitPrice * l.Value.Quantity, l.Key.Order.Currency))
            .Field<KeyValuePair<OrderView, LineItem>>("sku", "String", l => l.Value.Sku)
            .Field<KeyValuePair<OrderView, LineItem>>("variantTitle", "String", l => l.Value.VariantTitle)
            .Field<KeyValuePair<OrderView, LineItem>>("originalUnitPriceSet", "MoneyBag!", l => new Money(l.Value.UnitPrice, l.Key.Order.Currency))
            .Field<KeyValuePair<OrderView, LineItem>>("originalTotalSet", "MoneyBag!", l => new Money(l.Value.UnitPrice * l.Value.Quantity, l.Key.Order.Currency));

        schema.ObjectType("MoneyBag")
            .Field<Money>("shopMoney", "MoneyV2!", m => m)
            .Field<Money>("presentmentMoney", "MoneyV2!", m => m);
        schema.ObjectType("MoneyV2")
            .Field<Money>("amount", "Decimal!", m => Decimal(m.Amount))
            .Field<Money>("currencyCode", "CurrencyCode!", m => new EnumLiteral(m.CurrencyCode));
    }

    private static void DefineBulkAndWebhooks(SchemaDefinition schema)
    {
        schema.ObjectType("BulkOperation", "Node")
            .Field<BulkOperation>("id", "ID!", b => Gid.For("BulkOperation", b.Id))
            .Field<BulkOperation>("status", "BulkOperationStatus!", b => new EnumLiteral(b.Status))
            .Field<BulkOperation>("errorCode", "BulkOperationErrorCode", b => b.ErrorCode is null ? null : new EnumLiteral(b.ErrorCode))
            .Field<BulkOperation>("createdAt", "DateTime!", b => b.CreatedAt)
            .Field<BulkOperation>("completedAt", "DateTime", b => b.CompletedAt)
            .Field<BulkOperation>("objectCount", "UnsignedInt64!", b => b.ObjectCount.ToString(CultureInfo.InvariantCulture))
            .Field<BulkOperation>("rootObjectCount", "UnsignedInt64!", b => b.RootObjectCount.ToString(CultureInfo.InvariantCulture))
            .Field<BulkOperation>("fileSize", "UnsignedInt64", b => b.Status == "COMPLETED" ? b.FileSize.ToString(CultureInfo.InvariantCulture) : null)
            .Field<BulkOperation>("url", "URL", b => b.Url)
            .Field<BulkOperation>("partialDataUrl", "URL", _ => null)
            .Field<BulkOperation>("query", "String!", b => b.Query)
            .Field<BulkOperation>("type", "BulkOperationType!", _ => new EnumLiteral("QUERY"));

        schema.ObjectType("WebhookSubscription", "Node", "LegacyInteroperability")
            .Field<WebhookSubscription>("id", "ID!", s => Gid.For("WebhookSubscription", s.Id))
            .Field<WebhookSubscription>("legacyResourceId", "UnsignedInt64!", s => s.Id.ToString(CultureInfo.InvariantCulture))
            .Field<WebhookSubscription>("topic", "WebhookSubscriptionTopic!", s => new EnumLiteral(s.Topic))
            .Field<WebhookSubscription>("format", "WebhookSubscriptionFormat!", s => new EnumLiteral(s.Format))
            .Field<WebhookSubscription>("callbackUrl", "URL!", s => s.CallbackUrl.ToString())
            .Field<WebhookSubscription>("uri", "String!", s => s.CallbackUrl.ToString())
            .Field<WebhookSubscription>("endpoint", "WebhookSubscriptionEndpoint!", s => s)
            .Field<WebhookSubscription>("includeFields", "[String!]!", s => s.IncludeFields)
            .Field<WebhookSubscription>("apiVersion", "ApiVersion!", s => s.ApiVersion)
            .Field<WebhookSubscription>("createdAt", "DateTime!", s => s.CreatedAt)
            .Field<WebhookSubscription>("updatedAt", "DateTime!", s => s.CreatedAt);
        schema.ObjectType("WebhookHttpEndpoint")
            .Field<WebhookSubscription>("callbackUrl", "URL!", s => s.CallbackUrl.ToString());
        schema.Abstract("WebhookSubscriptionEndpoint", _ => "WebhookHttpEndpoint", "WebhookHttpEndpoint");
        schema.ObjectType("ApiVersion")
            .Field<string>("handle", "String!", v => v)
            .Field<string>("displayName", "String!", v => v)
            .Field<string>("supported", "Boolean!", _ => true);
    }

    private static void DefineShared(SchemaDefinition schema)
    {
        DefineConnection(schema, "Customer");
        DefineConnection(schema, "MailingAddress");
        DefineConnection(schema, "Order");
        DefineConnection(schema, "LineItem");
        DefineConnection(schema, "WebhookSubscription");
        schema.ObjectType("PageInfo")
            .Field<ConnectionPage>("hasNextPage", "Boolean!", p => p.HasNextPage)
            .Field<ConnectionPage>("hasPreviousPage", "Boolean!", p => p.HasPreviousPage)
            .Field<ConnectionPage>("startCursor", "String", p => p.StartCursor)
            .Field<ConnectionPage>("endCursor", "String", p => p.EndCursor);
        schema.ObjectType("Count")
            .Field<CountValue>("count", "Int!", c => c.Count)
            .Field<CountValue>("precision", "CountPrecision!", c => new EnumLiteral(c.Precision));
        schema.ObjectType("Shop", "Node")
            .Field<Shop>("id", "ID!", s => Gid.For("Shop", s.ShopId))
            .Field<Shop>("name", "String!", s => s.Domain.Split('.')[0])
            .Field<Shop>("myshopifyDomain", "String!", s => s.Domain)
            .Field<Shop>("currencyCode", "CurrencyCode!", s => new EnumLiteral(s.Currency))
            .Field<Shop>("plan", "ShopPlan!", (_, f) => Admin(f).State.Options.Plan);
        schema.ObjectType("ShopPlan")
            .Field<Throttling.ShopifyPlan>("displayName", "String!", p => p.ToString())
            .Field<Throttling.ShopifyPlan>("shopifyPlus", "Boolean!", p => p == Throttling.ShopifyPlan.Plus);
    }

    private static void DefineConnection(SchemaDefinition schema, string nodeType)
    {
        schema.ObjectType(nodeType + "Connection")
            .Field<ConnectionPage>("edges", $"[{nodeType}Edge!]!", p => p.Edges)
            .Field<ConnectionPage>("nodes", $"[{nodeType}!]!", p => p.Edges.Select(e => e.Node))
            .Field<ConnectionPage>("pageInfo", "PageInfo!", p => p);
        schema.ObjectType(nodeType + "Edge")
            .Field<Edge>("cursor", "String!", e => e.Cursor)
            .Field<Edge>("node", $"{nodeType}!", e => e.Node);
    }
}
