using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OrchardShopify.Emulator.Tests.Infrastructure;
using OrchardShopify.Emulator.Throttling;

namespace OrchardShopify.Emulator.Tests;

public sealed class CommandLineAndControlTests
{
    [Fact]
    public void Defaults_match_the_documented_values()
    {
        var (options, error) = EmulatorCommandLine.Parse([]);

        Assert.Null(error);
        Assert.Equal(["uk-demo.myshopify.com", "us-demo.myshopify.com"], options!.Shops);
        Assert.Equal(("shpat_emulator", "emulator-secret", 50, ShopifyPlan.Standard, 60d), (options.AccessToken, options.WebhookSecret, options.CustomersPerShop, options.Plan, options.TimeScale));
    }

    [Fact]
    public void Options_and_fault_knobs_are_parsed()
    {
        var (options, error) = EmulatorCommandLine.Parse(["--shops", "a.myshopify.com", "--plan=plus", "--customers", "7", "--time-scale", "3600", "--duplicate-deliveries", "2", "--shuffle-deliveries", "--throttle-rate", "0.25"]);

        Assert.Null(error);
        Assert.Equal(["a.myshopify.com"], options!.Shops);
        Assert.Equal((ShopifyPlan.Plus, 7, 3600d), (options.Plan, options.CustomersPerShop, options.TimeScale));
        Assert.Equal((2, true, 0.25), (options.Faults.DuplicateDeliveries, options.Faults.ShuffleDeliveries, options.Faults.ThrottleRate));
    }

    [Theory]
    [InlineData("--plan", "gold", "--plan")]
    [InlineData("--customers", "-3", "--customers")]
    [InlineData("--time-scale", "0", "--time-scale")]
    [InlineData("--shops", "shop.example.com", "--shops")]
    [InlineData("--server-error-rate", "1.5", "--server-error-rate")]
    public void Bad_option_values_name_the_option(string option, string value, string named)
    {
        var (options, error) = EmulatorCommandLine.Parse([option, value]);

        Assert.Null(options);
        Assert.Contains(named, error, StringComparison.Ordinal);
        Assert.Contains(value, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_option_is_named()
    {
        var (options, error) = EmulatorCommandLine.Parse(["--colour", "blue"]);

        Assert.Null(options);
        Assert.StartsWith("unknown option '--colour'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_switch_is_on_alone_off_with_false_and_a_value_other_than_true_or_false_is_named()
    {
        var (on, _) = EmulatorCommandLine.Parse(["--wrong-signature"]);
        var (off, _) = EmulatorCommandLine.Parse(["--wrong-signature=false", "--verbose=false"]);
        var (options, error) = EmulatorCommandLine.Parse(["--wrong-signature=maybe"]);

        Assert.True(on!.Faults.WrongSignature);
        Assert.Equal((false, false), (off!.Faults.WrongSignature, off.ConsoleLogging));
        Assert.Null(options);
        Assert.Equal("--wrong-signature takes no value or true/false (got 'maybe')", error);
    }

    [Fact]
    public void An_option_without_its_value_and_a_stray_argument_are_named()
    {
        var (_, missing) = EmulatorCommandLine.Parse(["--plan"]);
        var (_, stray) = EmulatorCommandLine.Parse(["--plan", "plus", "gold"]);

        Assert.Equal("Required argument missing for option: '--plan'.", missing);
        Assert.Equal("unexpected argument 'gold'", stray);
    }

    [Fact]
    public void Usage_lists_every_option_with_its_value_and_default()
    {
        string[] lines =
        [
            "--urls <url>", "--shops <d1,d2>", "--access-token <token>", "--webhook-secret <secret>", "--customers <n>", "--plan <standard|advanced|plus>",
            "--time-scale <factor>", "--seed <n>", "--duplicate-deliveries <n|n-m>", "--shuffle-deliveries", "--shuffle-window-ms <ms>",
            "--webhook-latency-ms <ms>", "--api-latency-ms <ms>", "--wrong-signature", "--server-error-rate <0..1>", "--throttle-rate <0..1>",
            "--api-timeout-rate <0..1>", "--api-timeout-ms <ms>", "--access-token-revoked", "--help",
        ];

        Assert.All(lines, line => Assert.Contains(line, EmulatorCommandLine.Usage, StringComparison.Ordinal));
        Assert.Contains("seeded customers per shop [default: 50]", EmulatorCommandLine.Usage, StringComparison.Ordinal);
        Assert.Contains("at random [default: 1]", EmulatorCommandLine.Usage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_option_exits_non_zero_with_the_message_on_stderr()
    {
        var dll = typeof(ShopifyEmulator).Assembly.Location;
        using var process = Process.Start(new ProcessStartInfo("dotnet", [dll, "--plan", "gold"]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.NotEqual(0, process.ExitCode);
        Assert.Contains("--plan must be standard, advanced or plus (got 'gold')", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Seeded_data_is_deterministic_with_names_emails_E164_phones_addresses_and_orders()
    {
        await using var first = await Emulators.StartAsync(new EmulatorOptions { CustomersPerShop = 50 });
        await using var second = await Emulators.StartAsync(new EmulatorOptions { CustomersPerShop = 50 });

        var a = first.Shops[Emulators.Uk].Snapshot();
        var b = second.Shops[Emulators.Uk].Snapshot();

        Assert.Equal(a.Select(c => (c.Id, c.Email, c.Phone, c.FirstName)), b.Select(c => (c.Id, c.Email, c.Phone, c.FirstName)));
        Assert.All(a, c =>
        {
            Assert.False(string.IsNullOrEmpty(c.FirstName));
            Assert.Contains('@', c.Email!);
            Assert.Matches(@"^\+[1-9]\d{7,14}$", c.Phone!);
            Assert.NotEmpty(c.Addresses);
        });
        Assert.Contains(a, c => c.Orders.Length >= 2);
        Assert.Contains(a, c => c.Orders.IsEmpty);
    }

    [Fact]
    public async Task Reset_restores_seeded_customers_and_clears_subscriptions_and_deliveries()
    {
        await using var emulator = await Emulators.StartAsync(new EmulatorOptions { CustomersPerShop = 5 });
        using var client = new AdminClient(emulator);
        await client.CreateCustomerAsync(new { email = "temp@example.com" });
        await client.SubscribeAsync("CUSTOMERS_CREATE", new Uri("http://127.0.0.1:9/x"));

        using var reset = await client.Http.PostAsync(new Uri(emulator.BaseUrl, "_emulator/reset"), null);
        var customers = JsonNode.Parse(await client.Http.GetStringAsync(new Uri(emulator.BaseUrl, $"_emulator/shops/{Emulators.Uk}/customers")))!.AsArray();

        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        Assert.Equal(5, customers.Count);
        Assert.DoesNotContain(customers, c => c!["email"]!.GetValue<string>() == "temp@example.com");
        Assert.Empty(emulator.State.Subscriptions.ForShop(Emulators.Uk));
        Assert.NotNull(customers[0]!["admin_graphql_api_id"]);
    }

    [Fact]
    public async Task Fault_endpoint_rejects_unknown_knobs_and_out_of_range_values()
    {
        await using var emulator = await Emulators.StartAsync(new EmulatorOptions { CustomersPerShop = 1 });
        using var http = new HttpClient();
        var faults = new Uri(emulator.BaseUrl, "_emulator/faults");

        using var unknown = await http.PostAsJsonAsync(faults, new { meteorStrike = true });
        using var outOfRange = await http.PostAsJsonAsync(faults, new { serverErrorRate = 2 });
        using var ok = await http.PostAsJsonAsync(faults, new { apiLatencyMs = 5 });

        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("meteorStrike", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, outOfRange.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(5, emulator.State.Faults.Current.ApiLatencyMs);
    }

    [Fact]
    public async Task Merchant_cannot_delete_a_customer_with_orders_through_the_control_api()
    {
        await using var emulator = await Emulators.StartAsync(new EmulatorOptions { CustomersPerShop = 3 });
        using var http = new HttpClient();
        var customer = emulator.Shops[Emulators.Uk].Snapshot()[2];
        var url = new Uri(emulator.BaseUrl, $"_emulator/shops/{Emulators.Uk}/customers/{customer.Id}");
        Assert.NotEmpty(customer.Orders);

        using var response = await http.DeleteAsync(url);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.NotNull(emulator.Shops[Emulators.Uk].Find(customer.Id));
    }

    [Fact]
    public async Task Merchant_creates_a_customer_whose_email_is_not_verified_through_the_control_api()
    {
        await using var emulator = await Emulators.StartAsync(new EmulatorOptions { CustomersPerShop = 0 });
        using var http = new HttpClient();

        using var response = await http.PostAsJsonAsync(
            new Uri(emulator.BaseUrl, $"_emulator/shops/{Emulators.Uk}/customers"),
            new { first_name = "Una", email = "una@example.com", verified_email = false, addresses = new[] { new { address1 = "1 Lane", city = "Leeds", country_code = "GB" } } });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var customer = emulator.Shops[Emulators.Uk].FindByEmail("una@example.com");
        Assert.NotNull(customer);
        Assert.False(customer.VerifiedEmail);
        Assert.Equal("Leeds", Assert.Single(customer.Addresses).City);
    }
}
