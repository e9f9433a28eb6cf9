using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text.RegularExpressions;
using OrchardShopify.Emulator.Control;
using OrchardShopify.Emulator.Throttling;

namespace OrchardShopify.Emulator;

/// <summary>
/// The emulator's command line (System.CommandLine): parses it into <see cref="EmulatorOptions"/>, naming the option
/// and the value at fault on error.
/// </summary>
public static partial class EmulatorCommandLine
{
    private static readonly EmulatorOptions Defaults = new();
    private static readonly FaultSettings DefaultFaults = new();

    private static readonly Option<string> Urls = Value("--urls", "url", "listen address", "http://127.0.0.1:5080", ParseUrls);
    private static readonly Option<IReadOnlyList<string>> Shops = Value("--shops", "d1,d2", "shop domains", Defaults.Shops, ParseShops);
    private static readonly Option<string> AccessToken = Value("--access-token", "token", "Admin API token", Defaults.AccessToken,
        value => string.IsNullOrWhiteSpace(value) ? (null, "--access-token must not be empty") : (value, null));
    private static readonly Option<string> WebhookSecret = Value("--webhook-secret", "secret", "HMAC key for webhooks", Defaults.WebhookSecret,
        value => string.IsNullOrEmpty(value) ? (null, "--webhook-secret must not be empty") : (value, null));
    private static readonly Option<int> Customers = Value("--customers", "n", "seeded customers per shop", Defaults.CustomersPerShop,
        value => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n <= 1_000_000
            ? (n, null) : (0, $"--customers must be a whole number from 0 to 1000000 (got '{value}')"));
    private static readonly Option<ShopifyPlan> Plan = Value("--plan", "standard|advanced|plus", "throttle plan", Defaults.Plan,
        value => Enum.TryParse<ShopifyPlan>(value, ignoreCase: true, out var plan) && Enum.IsDefined(plan) && !int.TryParse(value, out _)
            ? (plan, null) : (default, $"--plan must be standard, advanced or plus (got '{value}')"));
    private static readonly Option<double> TimeScale = Value("--time-scale", "factor", "divide webhook retry intervals by this", Defaults.TimeScale,
        value => double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var scale) && scale >= 1 && !double.IsInfinity(scale)
            ? (scale, null) : (0, $"--time-scale must be a number >= 1 (got '{value}')"));
    private static readonly Option<int> Seed = Value("--seed", "n", "seed for generated data", Defaults.Seed,
        value => int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed) ? (seed, null) : (0, $"--seed must be an integer (got '{value}')"));
    private static readonly Option<Copies> DuplicateDeliveries = Value("--duplicate-deliveries", "n|n-m",
        "deliver every webhook n times, or n to m times at random", new Copies(DefaultFaults.DuplicateDeliveries, DefaultFaults.DuplicateDeliveriesMax), ParseDuplicates);
    private static readonly Option<bool> ShuffleDeliveries = Flag("--shuffle-deliveries", "deliver webhooks out of order");
    private static readonly Option<int> ShuffleWindowMs = Milliseconds("--shuffle-window-ms", "how long a shuffled delivery may be held", DefaultFaults.ShuffleWindowMs);
    private static readonly Option<int> WebhookLatencyMs = Milliseconds("--webhook-latency-ms", "delay before every webhook attempt", DefaultFaults.WebhookLatencyMs);
    private static readonly Option<int> ApiLatencyMs = Milliseconds("--api-latency-ms", "delay before every Admin API response", DefaultFaults.ApiLatencyMs);
    private static readonly Option<bool> WrongSignature = Flag("--wrong-signature", "sign webhooks with a wrong key");
    private static readonly Option<double> ServerErrorRate = Rate("--server-error-rate", "share of Admin API calls answered 502/503", DefaultFaults.ServerErrorRate);
    private static readonly Option<double> ThrottleRate = Rate("--throttle-rate", "share of Admin API calls answered THROTTLED", DefaultFaults.ThrottleRate);
    private static readonly Option<double> ApiTimeoutRate = Rate("--api-timeout-rate", "share of Admin API calls applied but left unanswered", DefaultFaults.ApiTimeoutRate);
    private static readonly Option<int> ApiTimeoutMs = Milliseconds("--api-timeout-ms", "how long such an answer is held back", DefaultFaults.ApiTimeoutMs);
    private static readonly Option<bool> AccessTokenRevoked = Flag("--access-token-revoked", "answer every Admin API call 401, as for a revoked token");
    private static readonly Option<bool>[] Flags = [ShuffleDeliveries, WrongSignature, AccessTokenRevoked];
    private static readonly Option<bool> Verbose = new("--verbose") { Description = "log requests to the console", DefaultValueFactory = _ => true, Hidden = true };

    private static readonly RootCommand Command = Build();

    /// <summary>The help text System.CommandLine renders for the options (<c>--help</c>).</summary>
    public static string Usage { get; } = RenderHelp();

    public static (EmulatorOptions? Options, string? Error) Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var result = Command.Parse(args);
        if (result.UnmatchedTokens.Count > 0)
        {
            var token = result.UnmatchedTokens[0];
            if (Flags.Append(Verbose).FirstOrDefault(flag => args.Contains($"{flag.Name}={token}", StringComparer.Ordinal)) is { } flag)
            {
                return (null, $"{flag.Name} takes no value or true/false (got '{token}')");
            }

            return (null, token.StartsWith('-') ? $"unknown option '{token}'\n{Usage}" : $"unexpected argument '{token}'");
        }

        if (result.Errors.Count > 0)
        {
            return (null, result.Errors[0].Message);
        }

        var (least, most) = result.GetValue(DuplicateDeliveries)!;
        var faults = new FaultSettings
        {
            DuplicateDeliveries = least,
            DuplicateDeliveriesMax = most,
            ShuffleDeliveries = result.GetValue(ShuffleDeliveries),
            ShuffleWindowMs = result.GetValue(ShuffleWindowMs),
            WebhookLatencyMs = result.GetValue(WebhookLatencyMs),
            ApiLatencyMs = result.GetValue(ApiLatencyMs),
            WrongSignature = result.GetValue(WrongSignature),
            ServerErrorRate = result.GetValue(ServerErrorRate),
            ThrottleRate = result.GetValue(ThrottleRate),
            ApiTimeoutRate = result.GetValue(ApiTimeoutRate),
            ApiTimeoutMs = result.GetValue(ApiTimeoutMs),
            AccessTokenRevoked = result.GetValue(AccessTokenRevoked),
        };
        var options = new EmulatorOptions
        {
            Urls = result.GetValue(Urls)!,
            Shops = result.GetValue(Shops)!,
            AccessToken = result.GetValue(AccessToken)!,
            WebhookSecret = result.GetValue(WebhookSecret)!,
            CustomersPerShop = result.GetValue(Customers),
            Plan = result.GetValue(Plan),
            TimeScale = result.GetValue(TimeScale),
            Seed = result.GetValue(Seed),
            ConsoleLogging = result.GetValue(Verbose),
            Faults = faults,
        };
        return (options, null);
    }

    /// <summary>Help is printed by <c>Program</c> (<c>--help</c>, <c>-h</c>, <c>-?</c>); the emulator has no <c>--version</c>.</summary>
    private static RootCommand Build()
    {
        var command = new RootCommand("Local Shopify emulator: Admin GraphQL API, webhooks and fault knobs for the OrchardShopify sync.")
        {
            Urls, Shops, AccessToken, WebhookSecret, Customers, Plan, TimeScale, Seed, DuplicateDeliveries, ShuffleDeliveries, ShuffleWindowMs,
            WebhookLatencyMs, ApiLatencyMs, WrongSignature, ServerErrorRate, ThrottleRate, ApiTimeoutRate, ApiTimeoutMs, AccessTokenRevoked, Verbose,
        };
        foreach (var version in command.Options.OfType<VersionOption>().ToList())
        {
            command.Options.Remove(version);
        }

        return command;
    }

    /// <summary>Whether the arguments ask for the help (<c>--help</c>, <c>-h</c>, <c>-?</c>).</summary>
    public static bool AsksForHelp(IReadOnlyList<string> args) => Command.Parse(args).Action is System.CommandLine.Help.HelpAction;

    /// <summary>An option with one value, parsed by <paramref name="parse"/> (the value, or the message naming the option and the value).</summary>
    private static Option<T> Value<T>(string name, string helpName, string description, T defaultValue, Func<string, (T? Value, string? Error)> parse) => new(name)
    {
        Description = description,
        HelpName = helpName,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result =>
        {
            var (value, error) = parse(result.Tokens.Count == 0 ? "" : result.Tokens[0].Value);
            if (error is not null)
            {
                result.AddError(error);
                return defaultValue;
            }

            return value!;
        },
    };

    /// <summary>A switch: given alone it is on; <c>--name=false</c> turns it off.</summary>
    private static Option<bool> Flag(string name, string description) => new(name) { Description = description };

    private static Option<int> Milliseconds(string name, string description, int defaultValue) => Value(name, "ms", description, defaultValue,
        value => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms <= 60_000
            ? (ms, null) : (0, $"{name} must be a whole number of milliseconds from 0 to 60000 (got '{value}')"));

    private static Option<double> Rate(string name, string description, double defaultValue) => Value(name, "0..1", description, defaultValue,
        value => double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var rate) && rate is >= 0 and <= 1
            ? (rate, null) : (0, $"{name} must be a number from 0 to 1 (got '{value}')"));

    private static (string?, string?) ParseUrls(string value)
    {
        foreach (var url in value.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!Uri.TryCreate(url.Replace("*", "localhost", StringComparison.Ordinal).Replace("+", "localhost", StringComparison.Ordinal), UriKind.Absolute, out var uri) || uri.Scheme != "http")
            {
                return (null, $"--urls must be http URLs such as http://127.0.0.1:5080 (got '{value}')");
            }
        }

        return (value, null);
    }

    private static (IReadOnlyList<string>?, string?) ParseShops(string value)
    {
        var shops = value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(s => s.ToLowerInvariant()).ToList();
        if (shops.Count == 0)
        {
            return (null, "--shops needs at least one shop domain");
        }

        if (shops.FirstOrDefault(s => !ShopDomain().IsMatch(s)) is { } bad)
        {
            return (null, $"--shops: '{bad}' is not a shop domain like name.myshopify.com");
        }

        return shops.Distinct().Count() != shops.Count ? (null, "--shops lists a shop more than once") : (shops, null);
    }

    private static (Copies?, string?) ParseDuplicates(string value)
    {
        var error = $"--duplicate-deliveries must be a whole number from 1 to 20, or a range such as 2-3 (got '{value}')";
        var range = value.Split('-', 2);
        if (!int.TryParse(range[0], NumberStyles.None, CultureInfo.InvariantCulture, out var copies) || copies is < 1 or > 20)
        {
            return (null, error);
        }

        if (range.Length == 1)
        {
            return (new Copies(copies, null), null);
        }

        return int.TryParse(range[1], NumberStyles.None, CultureInfo.InvariantCulture, out var upper) && upper >= copies && upper <= 20
            ? (new Copies(copies, upper), null)
            : (null, error);
    }

    private static string RenderHelp()
    {
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        Command.Parse(["--help"]).Invoke(new InvocationConfiguration { Output = output });
        return output.ToString().TrimEnd();
    }

    /// <summary>How many times every webhook is delivered: <see cref="Least"/>, or a random number up to <see cref="Most"/>.</summary>
    private sealed record Copies(int Least, int? Most)
    {
        public override string ToString() => Most is null ? Least.ToString(CultureInfo.InvariantCulture) : string.Create(CultureInfo.InvariantCulture, $"{Least}-{Most}");
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]*\\.myshopify\\.com$", RegexOptions.CultureInvariant)]
    private static partial Regex ShopDomain();
}
