extern alias site;

using System.Globalization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using OrchardCore.Environment.Shell;
using OrchardCore.Environment.Shell.Scope;
using OrchardCore.Users;
using OrchardCore.Users.Models;
using OrchardShopify.Emulator;
using SiteProgram = site::Program;

namespace OrchardShopify.OrchardCore.Site.Tests.Support;

/// <summary>
/// The sample Orchard Core site (samples/OrchardShopify.OrchardCore.Site) in this process, one per test class: a fresh
/// App_Data in a temporary folder, set up on first request from one of its recipes, every log entry recorded, and
/// (unless a class says otherwise) a Shopify emulator with the stores <c>uk</c> and <c>us</c> the configuration points at.
/// </summary>
public class OrchardSiteFixture : WebApplicationFactory<SiteProgram>, IAsyncLifetime
{
    public const string AdminUserName = "admin";
    public const string AdminEmail = "admin@example.com";
    public const string AdminPassword = "Admin-pass-1!";
    public const string UkDomain = "uk-test.myshopify.com";
    public const string UsDomain = "us-test.myshopify.com";
    public const string UkSecret = "uk-webhook-secret";
    public const string UsSecret = "us-webhook-secret";
    public const string Section = "OrchardCore:OrchardShopify";

    private readonly Dictionary<string, string?> _settings = [];

    public OrchardSiteFixture()
    {
        DataPath = Path.Combine(Path.GetTempPath(), "orchardshopify-site-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(DataPath);
    }

    public FakeLogCollector Logs { get; } = new();

    public string DataPath { get; }

    public ShopifyEmulator Emulator { get; private set; } = null!;

    /// <summary>The setup recipe of the site (<c>OrchardShopifySite</c> or <c>OrchardShopifyBare</c>).</summary>
    protected virtual string Recipe => "OrchardShopifySite";

    /// <summary>The Shopify settings of the tenant's configuration (<c>OrchardCore:OrchardShopify:*</c>); the emulator is running.</summary>
    protected virtual void ConfigureShopify(IDictionary<string, string?> settings)
    {
    }

    /// <summary>The Admin API address of an emulated store.</summary>
    public string ApiBaseUrl(string domain) => new Uri(Emulator.BaseUrl, string.Create(CultureInfo.InvariantCulture, $"shops/{domain}/")).ToString();

    /// <summary>A store of the emulator in the configuration, with its token, secret and Admin API address.</summary>
    protected void AddStore(IDictionary<string, string?> settings, string handle, string domain, string secret)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var prefix = $"{Section}:Stores:{handle}:";
        settings[prefix + "ShopDomain"] = domain;
        settings[prefix + "AccessToken"] = Emulator.Options.AccessToken;
        settings[prefix + "WebhookSecret"] = secret;
        settings[prefix + "ApiBaseUrl"] = ApiBaseUrl(domain);
    }

    public async Task InitializeAsync()
    {
        Emulator = await ShopifyEmulator.StartAsync(new EmulatorOptions { Shops = [UkDomain, UsDomain], CustomersPerShop = 5 }, CancellationToken.None);
        _settings["Site:DataPath"] = DataPath;
        _settings["Site:Demo:Enabled"] = "false";
        var setup = "OrchardCore:OrchardCore_AutoSetup:Tenants:0:";
        _settings[setup + "AdminUsername"] = AdminUserName;
        _settings[setup + "AdminEmail"] = AdminEmail;
        _settings[setup + "AdminPassword"] = AdminPassword;
        _settings[setup + "RecipeName"] = Recipe;
        ConfigureShopify(_settings);

        // The first request sets the tenant up from the recipe, as a visitor's first request would.
        using var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        using var first = await client.GetAsync(new Uri("/", UriKind.Relative));
        await WarmUpAsync();
    }

    /// <summary>Runs after setup; a fixture may prepare data here.</summary>
    protected virtual Task WarmUpAsync() => Task.CompletedTask;

    /// <summary>A browser session with its own cookies.</summary>
    public SiteBrowser NewBrowser() => new(CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true }));

    /// <summary>Runs <paramref name="work"/> in a scope of the tenant (default: the default tenant).</summary>
    public async Task<T> InTenantAsync<T>(Func<IServiceProvider, Task<T>> work, string tenant = "Default")
    {
        ArgumentNullException.ThrowIfNull(work);
        var scope = await Services.GetRequiredService<IShellHost>().GetScopeAsync(tenant);
        T result = default!;
        await scope.UsingAsync(async s => result = await work(s.ServiceProvider));
        return result;
    }

    /// <summary>A user who signs in with a password (an account the site already had before Shopify knew it).</summary>
    public Task<string> CreateMemberAsync(string userName, string email, string password, string tenant = "Default") =>
        InTenantAsync(
            async services =>
            {
                var users = services.GetRequiredService<UserManager<IUser>>();
                var user = new User { UserName = userName, Email = email, EmailConfirmed = true };
                var result = await users.CreateAsync(user, password);
                Assert.True(result.Succeeded, string.Join("; ", result.Errors.Select(e => e.Description)));
                return user.UserId;
            },
            tenant);

    /// <summary>The user's document as stored, read fresh.</summary>
    public Task<User?> FindUserByEmailAsync(string email, string tenant = "Default") =>
        InTenantAsync(async services => await services.GetRequiredService<UserManager<IUser>>().FindByEmailAsync(email) as User, tenant);

    /// <summary>Waits until <paramref name="condition"/> holds (the sync applies deliveries in the background).</summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> condition, string what, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(read);
        ArgumentNullException.ThrowIfNull(condition);
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var value = await read();
            if (condition(value))
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out waiting for {what}.");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Every entry at error level or above so far.</summary>
    public IReadOnlyList<FakeLogRecord> Errors => [.. Logs.GetSnapshot().Where(e => e.Level >= LogLevel.Error)];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.UseContentRoot(SiteProject.Directory);
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(logging => logging.AddProvider(new FakeLoggerProvider(Logs)).SetMinimumLevel(LogLevel.Information));
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (Emulator is not null)
        {
            await Emulator.DisposeAsync();
        }

        GC.SuppressFinalize(this);
        TryDelete(DataPath);
    }

    private static void TryDelete(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>Where the sample site's project is (its recipes and appsettings.json are read from there, as with dotnet run).</summary>
public static class SiteProject
{
    public static string Directory { get; } = Find();

    public static string RepositoryRoot => Path.GetFullPath(Path.Combine(Directory, "..", ".."));

    /// <summary>The site's own build output (same configuration as these tests), to start it as a process.</summary>
    public static string BuiltDll
    {
        get
        {
            var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";
            var dll = Path.Combine(Directory, "bin", configuration, "net10.0", "OrchardShopify.OrchardCore.Site.dll");
            return File.Exists(dll) ? dll : throw new InvalidOperationException($"{dll} is not built.");
        }
    }

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "samples", "OrchardShopify.OrchardCore.Site");
            if (File.Exists(Path.Combine(candidate, "OrchardShopify.OrchardCore.Site.csproj")))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("samples/OrchardShopify.OrchardCore.Site was not found above " + AppContext.BaseDirectory);
    }
}
