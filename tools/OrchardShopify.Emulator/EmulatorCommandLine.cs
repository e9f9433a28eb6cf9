using System.Globalization;
using System.Text.RegularExpressions;
using OrchardShopify.Emulator.Control;
using OrchardShopify.Emulator.Throttling;

namespace OrchardShopify.Emulator;

/// <summary>Parses the emulator's command line into <see cref="EmulatorOptions"/>, naming the option at fault on error.</summary>
public static partial class EmulatorCommandLine
{
    public const string Usage = """
        Usage: OrchardShopify.Emulator [options]
          --urls <url>                  listen address [http://127.0.0.1:5080]
          --shops <d1,d2>               shop domains [uk-demo.myshopify.com,us-demo.myshopify.com]
          --access-token <token>        Admin API token [shpat_emulator]
          --webhook-secret <secret>     HMAC key for webhooks [emulator-secret]
          --customers <n>               seeded customers per shop [50]
          --plan standard|advanced|plus throttle plan [standard]
          --time-scale <factor>         divide webhook retry intervals by this [60]
          --seed <n>                    seed for generated data [20261001]
          --duplicate-deliveries <n|n-m> deliver every webhook n times, or n to m times at random [1]
          --shuffle-deliveries          deliver webhooks out of order
          --shuffle-window-ms <ms>      how long a shuffled delivery may be held [250]
          --webhook-latency-ms <ms>     delay before every webhook attempt [0]
          --api-latency-ms <ms>         delay before every Admin API response [0]
          --wrong-signature             sign webhooks with a wrong key
          --server-error-rate <0..1>    share of Admin API calls answered 502/503 [0]
          --throttle-rate <0..1>        share of Admin API calls answered THROTTLED [0]
          --api-timeout-rate <0..1>     share of Admin API calls applied but left unanswered [0]
          --api-timeout-ms <ms>         how long such an answer is held back [10000]
          --access-token-revoked        answer every Admin API call 401, as for a revoked token
        """;

    private static readonly HashSet<string> Flags = ["--shuffle-deliveries", "--wrong-signature", "--access-token-revoked", "--verbose"];

    public static (EmulatorOptions? Options, string? Error) Parse(IReadOnlyList<string> args)
    {
        var options = new EmulatorOptions { Urls = "http://127.0.0.1:5080", ConsoleLogging = true };
        var faults = new FaultSettings();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string name;
            string? value = null;
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            if (arg.StartsWith("--", StringComparison.Ordinal) && equals > 0)
            {
                name = arg[..equals];
                value = arg[(equals + 1)..];
            }
            else
            {
                name = arg;
            }

            if (!name.StartsWith("--", StringComparison.Ordinal))
            {
                return Fail($"unexpected argument '{arg}'");
            }

            if (Flags.Contains(name))
            {
                if (value is not null && !bool.TryParse(value, out _))
                {
                    return Fail($"{name} takes no value or true/false (got '{value}')");
                }

                var on = value is null || bool.Parse(value);
                switch (name)
                {
                    case "--shuffle-deliveries": faults = faults with { ShuffleDeliveries = on }; break;
                    case "--wrong-signature": faults = faults with { WrongSignature = on }; break;
                    case "--access-token-revoked": faults = faults with { AccessTokenRevoked = on }; break;
                    default: options = options with { ConsoleLogging = on }; break;
                }

                continue;
            }

            if (value is null)
            {
                if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    return Fail(name is "--help" or "-h" ? Usage : $"{name} requires a value");
                }

                value = args[++i];
            }

            switch (name)
            {
                case "--urls":
                    foreach (var url in value.Split(';', StringSplitOptions.RemoveEmptyEntries))
                    {
                        if (!Uri.TryCreate(url.Replace("*", "localhost", StringComparison.Ordinal).Replace("+", "localhost", StringComparison.Ordinal), UriKind.Absolute, out var uri) || uri.Scheme != "http")
                        {
                            return Fail($"--urls must be http URLs such as http://127.0.0.1:5080 (got '{value}')");
                        }
                    }

                    options = options with { Urls = value };
                    break;
                case "--shops":
                    var shops = value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(s => s.ToLowerInvariant()).ToList();
                    if (shops.Count == 0)
                    {
                        return Fail("--shops needs at least one shop domain");
                    }

                    if (shops.FirstOrDefault(s => !ShopDomain().IsMatch(s)) is { } bad)
                    {
                        return Fail($"--shops: '{bad}' is not a shop domain like name.myshopify.com");
                    }

                    if (shops.Distinct().Count() != shops.Count)
                    {
                        return Fail("--shops lists a shop more than once");
                    }

                    options = options with { Shops = shops };
                    break;
                case "--access-token":
                    if (string.IsNullOrWhiteSpace(value))
                    {
                        return Fail("--access-token must not be empty");
                    }

                    options = options with { AccessToken = value };
                    break;
                case "--webhook-secret":
                    if (string.IsNullOrEmpty(value))
                    {
                        return Fail("--webhook-secret must not be empty");
                    }

                    options = options with { WebhookSecret = value };
                    break;
                case "--customers":
                    if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var customers) || customers > 1_000_000)
                    {
                        return Fail($"--customers must be a whole number from 0 to 1000000 (got '{value}')");
                    }

                    options = options with { CustomersPerShop = customers };
                    break;
                case "--plan":
                    if (!Enum.TryParse<ShopifyPlan>(value, ignoreCase: true, out var plan) || !Enum.IsDefined(plan) || int.TryParse(value, out _))
                    {
                        return Fail($"--plan must be standard, advanced or plus (got '{value}')");
                    }

                    options = options with { Plan = plan };
                    break;
                case "--time-scale":
                    if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var scale) || !(scale >= 1) || double.IsInfinity(scale))
                    {
                        return Fail($"--time-scale must be a number >= 1 (got '{value}')");
                    }

                    options = options with { TimeScale = scale };
                    break;
                case "--seed":
                    if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed))
                    {
                        return Fail($"--seed must be an integer (got '{value}')");
                    }

                    options = options with { Seed = seed };
                    break;
                case "--duplicate-deliveries":
                    var range = value.Split('-', 2);
                    if (!int.TryParse(range[0], NumberStyles.None, CultureInfo.InvariantCulture, out var copies) || copies is < 1 or > 20)
                    {
                        return Fail($"--duplicate-deliveries must be a whole number from 1 to 20, or a range such as 2-3 (got '{value}')");
                    }

                    int? most = null;
                    if (range.Length == 2)
                    {
                        if (!int.TryParse(range[1], NumberStyles.None, CultureInfo.InvariantCulture, out var upper) || upper < copies || upper > 20)
                        {
                            return Fail($"--duplicate-deliveries must be a whole number from 1 to 20, or a range such as 2-3 (got '{value}')");
                        }

                        most = upper;
                    }

                    faults = faults with { DuplicateDeliveries = copies, DuplicateDeliveriesMax = most };
                    break;
                case "--shuffle-window-ms" or "--webhook-latency-ms" or "--api-latency-ms" or "--api-timeout-ms":
                    if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) || ms > 60_000)
                    {
                        return Fail($"{name} must be a whole number of milliseconds from 0 to 60000 (got '{value}')");
                    }

                    faults = name switch
                    {
                        "--shuffle-window-ms" => faults with { ShuffleWindowMs = ms },
                        "--webhook-latency-ms" => faults with { WebhookLatencyMs = ms },
                        "--api-timeout-ms" => faults with { ApiTimeoutMs = ms },
                        _ => faults with { ApiLatencyMs = ms },
                    };
                    break;
                case "--server-error-rate" or "--throttle-rate" or "--api-timeout-rate":
                    if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var rate) || !(rate is >= 0 and <= 1))
                    {
                        return Fail($"{name} must be a number from 0 to 1 (got '{value}')");
                    }

                    faults = name switch
                    {
                        "--server-error-rate" => faults with { ServerErrorRate = rate },
                        "--throttle-rate" => faults with { ThrottleRate = rate },
                        _ => faults with { ApiTimeoutRate = rate },
                    };
                    break;
                default:
                    return Fail($"unknown option '{name}'\n{Usage}");
            }
        }

        return (options with { Faults = faults }, null);
    }

    private static (EmulatorOptions?, string?) Fail(string message) => (null, message);

    [GeneratedRegex("^[a-z0-9][a-z0-9-]*\\.myshopify\\.com$", RegexOptions.CultureInvariant)]
    private static partial Regex ShopDomain();
}
