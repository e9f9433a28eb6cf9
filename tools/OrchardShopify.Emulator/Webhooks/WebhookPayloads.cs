using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using OrchardShopify.Emulator.Customers;

namespace OrchardShopify.Emulator.Webhooks;

/// <summary>REST-shaped webhook bodies, as Shopify serializes them (snake_case, numeric ids, local-offset timestamps).</summary>
public static class WebhookPayloads
{
    // Non-ASCII is written raw so receivers that re-serialize before verifying the HMAC fail, as they would against Shopify.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static byte[] CustomerBody(Shop shop, string topic, Customer customer)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteNumber("id", customer.Id);
            if (topic == "customers/delete")
            {
                writer.WriteString("admin_graphql_api_id", Gid.For("Customer", customer.Id));
                writer.WriteEndObject();
            }
            else
            {
                WriteCustomer(writer, shop, customer);
                writer.WriteEndObject();
            }
        }

        return stream.ToArray();
    }

    /// <summary>The full REST customer object, as the control API lists it.</summary>
    public static void WriteCustomerObject(Utf8JsonWriter writer, Shop shop, Customer customer)
    {
        writer.WriteStartObject();
        writer.WriteNumber("id", customer.Id);
        WriteCustomer(writer, shop, customer);
        writer.WriteEndObject();
    }

    public static void WriteCustomer(Utf8JsonWriter writer, Shop shop, Customer customer)
    {
        writer.WriteString("email", customer.Email);
        writer.WriteString("created_at", Timestamp(shop, customer.CreatedAt));
        writer.WriteString("updated_at", Timestamp(shop, customer.UpdatedAt));
        writer.WriteString("first_name", customer.FirstName);
        writer.WriteString("last_name", customer.LastName);
        writer.WriteNumber("orders_count", customer.Orders.Length);
        writer.WriteString("state", customer.State.ToLowerInvariant());
        writer.WriteString("total_spent", customer.AmountSpent.ToString("0.00", CultureInfo.InvariantCulture));
        writer.WriteString("note", customer.Note);
        writer.WriteBoolean("verified_email", customer.VerifiedEmail);
        writer.WriteNull("multipass_identifier");
        writer.WriteBoolean("tax_exempt", customer.TaxExempt);
        writer.WriteString("tags", string.Join(", ", customer.Tags));
        writer.WriteString("phone", customer.Phone);
        writer.WriteString("currency", shop.Currency);
        writer.WriteStartArray("addresses");
        foreach (var address in MostRecentAddresses(customer))
        {
            WriteAddress(writer, customer, address);
        }

        writer.WriteEndArray();
        writer.WriteStartArray("tax_exemptions");
        writer.WriteEndArray();
        if (customer.Email is not null)
        {
            // Shopify writes the consent object only for a customer with an email address.
            writer.WriteStartObject("email_marketing_consent");
            writer.WriteString("state", customer.EmailMarketingState.ToLowerInvariant());
            writer.WriteString("opt_in_level", "single_opt_in");
            writer.WriteNull("consent_updated_at");
            writer.WriteEndObject();
        }
        writer.WriteString("admin_graphql_api_id", Gid.For("Customer", customer.Id));
        if (customer.DefaultAddress is { } defaultAddress)
        {
            writer.WritePropertyName("default_address");
            WriteAddress(writer, customer, defaultAddress);
        }
    }

    /// <summary>Shopify's customer payloads list the ten most recently updated addresses; <c>default_address</c> is always written.</summary>
    public const int AddressesInPayload = 10;

    public static IEnumerable<MailingAddress> MostRecentAddresses(Customer customer) =>
        customer.Addresses.OrderByDescending(a => a.Revision).ThenByDescending(a => a.Id).Take(AddressesInPayload);

    private static void WriteAddress(Utf8JsonWriter writer, Customer customer, MailingAddress address)
    {
        writer.WriteStartObject();
        writer.WriteNumber("id", address.Id);
        writer.WriteNumber("customer_id", customer.Id);
        writer.WriteString("first_name", address.FirstName);
        writer.WriteString("last_name", address.LastName);
        writer.WriteString("company", address.Company);
        writer.WriteString("address1", address.Address1);
        writer.WriteString("address2", address.Address2);
        writer.WriteString("city", address.City);
        writer.WriteString("province", address.Province);
        writer.WriteString("country", address.Country);
        writer.WriteString("zip", address.Zip);
        writer.WriteString("phone", address.Phone);
        writer.WriteString("name", address.Name);
        writer.WriteString("province_code", address.ProvinceCode);
        writer.WriteString("country_code", address.CountryCode);
        writer.WriteString("country_name", address.Country);
        writer.WriteBoolean("default", address.Id == customer.DefaultAddress?.Id);
        writer.WriteEndObject();
    }

    public static string Timestamp(Shop shop, DateTimeOffset value) =>
        value.ToOffset(shop.UtcOffset).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
}
