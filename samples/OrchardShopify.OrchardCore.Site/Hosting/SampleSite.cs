using System.Security.Cryptography;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration.Memory;
using OrchardCore.Environment.Shell;
using OrchardShopify.Emulator;
using OrchardShopify.OrchardCore.Site.Demo;

namespace OrchardShopify.OrchardCore.Site.Hosting;

/// <summary>
/// The sample Orchard Core CMS site: auto-set-up on SQLite from a recipe of this project, with the Shopify customer
/// sync and its Liquid tags, and demo mode (the Shopify emulator in this process) when no store is configured.
/// </summary>
public static class SampleSite
{
    /// <summary>The configuration of the default tenant's automatic setup.</summary>
    public const string AutoSetupTenant = "OrchardCore:OrchardCore_AutoSetup:Tenants:0:";

    public static async Task<int> RunAsync(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        var site = builder.Configuration.GetSection(SampleSiteOptions.SectionName).Get<SampleSiteOptions>() ?? new SampleSiteOptions();

        var defaults = new Dictionary<string, string?>();
        string? generatedPassword = null;
        if (string.IsNullOrWhiteSpace(builder.Configuration[AutoSetupTenant + "AdminPassword"]))
        {
            // Used only when the site sets itself up (first start); printed then, never logged.
            generatedPassword = GeneratePassword();
            defaults[AutoSetupTenant + "AdminPassword"] = generatedPassword;
        }

        ShopifyEmulator? emulator = null;
        if (DemoShopify.IsWanted(builder.Configuration, site))
        {
            emulator = await DemoShopify.StartAsync(site.Demo, CancellationToken.None);
            foreach (var (key, value) in DemoShopify.Settings(emulator))
            {
                defaults[key] = value;
            }
        }

        // Defaults go first, so appsettings, the environment and the command line still win.
        ((IConfigurationBuilder)builder.Configuration).Sources.Insert(0, new MemoryConfigurationSource { InitialData = defaults });

        builder.Services.AddOrchardCms().AddSetupFeatures("OrchardCore.AutoSetup");
        var demo = emulator is not null;
        builder.Services.AddOptions<ShellOptions>().PostConfigure<IConfiguration, IWebHostEnvironment>((options, configuration, environment) =>
        {
            if (configuration[SampleSiteOptions.SectionName + ":DataPath"] is { Length: > 0 } dataPath)
            {
                options.ShellsApplicationDataPath = Path.GetFullPath(dataPath, environment.ContentRootPath);
            }

            if (demo)
            {
                // The emulator starts empty every time, so the demo site does too (apart from a real site's data).
                options.ShellsApplicationDataPath = Path.Combine(options.ShellsApplicationDataPath, "demo");
            }
        });

        var app = builder.Build();
        app.UseOrchardCore();

        try
        {
            var shellOptions = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ShellOptions>>().Value;
            if (demo && Directory.Exists(shellOptions.ShellsApplicationDataPath))
            {
                Directory.Delete(shellOptions.ShellsApplicationDataPath, recursive: true);
            }

            var firstStart = !File.Exists(Path.Combine(shellOptions.ShellsApplicationDataPath, "tenants.json"));
            await app.StartAsync();

            var listening = ListeningAddress(app);
            if (emulator is not null)
            {
                await DemoShopify.PrepareAsync(app.Services, emulator, listening, site, CancellationToken.None);
            }

            WriteWelcome(Console.Out, app.Configuration, listening, shellOptions.ShellsApplicationDataPath, emulator, firstStart ? generatedPassword : null, site);
            await app.WaitForShutdownAsync();
        }
        finally
        {
            await app.DisposeAsync();
            if (emulator is not null)
            {
                await emulator.DisposeAsync();
            }
        }

        return 0;
    }

    private static string GeneratePassword() =>
        "Os-" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(12)).Replace('+', 'x').Replace('/', 'y') + "-9a";

    private static Uri ListeningAddress(WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
        var first = addresses?.FirstOrDefault() ?? "http://localhost";
        return new Uri(first.Replace("://[::]", "://localhost", StringComparison.Ordinal).Replace("://0.0.0.0", "://localhost", StringComparison.Ordinal).Replace("://+", "://localhost", StringComparison.Ordinal));
    }

    private static void WriteWelcome(TextWriter output, IConfiguration configuration, Uri listening, string dataPath, ShopifyEmulator? emulator, string? generatedPassword, SampleSiteOptions site)
    {
        output.WriteLine();
        output.WriteLine($"OrchardShopify Orchard Core sample site: {listening}");
        output.WriteLine($"  data: {dataPath}");
        output.WriteLine($"  account page: {new Uri(listening, "/account")}   admin: {new Uri(listening, "/Admin")}   Shopify settings: {new Uri(listening, "/Admin/Settings/shopify")}");
        if (emulator is not null)
        {
            output.WriteLine("  demo mode: no store is configured, so a local Shopify emulator runs inside this process.");
            output.WriteLine($"  emulator: {emulator.BaseUrl} (control API {new Uri(emulator.BaseUrl, "_emulator/shops")})");
            foreach (var (handle, domain) in DemoShopify.Stores)
            {
                output.WriteLine($"  store {handle}: {domain}, webhooks to {new Uri(site.PublicUrl ?? listening, "/!/shopify/webhook")}");
            }
        }

        output.WriteLine();
        var userName = configuration[AutoSetupTenant + "AdminUsername"];
        if (generatedPassword is not null)
        {
            output.WriteLine("Administrator created (this password is shown once; keep it):");
            output.WriteLine($"  user name: {userName}");
            output.WriteLine($"  password:  {generatedPassword}");
        }
        else
        {
            output.WriteLine($"Administrator: {userName} (password as configured in {AutoSetupTenant}AdminPassword or printed on first start)");
        }

        if (emulator is not null)
        {
            output.WriteLine($"Demo member: {site.Demo.MemberUserName} / {site.Demo.MemberPassword} ({site.Demo.MemberEmail}, a customer of both stores): sign in at /Login, then open /account.");
        }

        output.WriteLine();
    }
}
