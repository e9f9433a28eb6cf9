using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrchardShopify.AspNetCore.DependencyInjection;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.AspNetCore.Users;
using OrchardShopify.Core.ShopifyApi;
using OrchardShopify.Web.Demo;
using OrchardShopify.Web.Identity;
using OrchardShopify.Web.Mail;

namespace OrchardShopify.Web.Hosting;

/// <summary>What a caller may change when starting the site (tests start it in-process on a free port).</summary>
public sealed class SiteStartOptions
{
    public string[] Args { get; init; } = [];

    public string? ContentRootPath { get; init; }

    public string? EnvironmentName { get; init; }

    /// <summary>Configuration that wins over appsettings and the environment.</summary>
    public IReadOnlyDictionary<string, string?>? Settings { get; init; }

    /// <summary>Kestrel addresses; by default those of the configuration (<c>urls</c>), else http://localhost:5000.</summary>
    public string? Urls { get; init; }

    public Action<ILoggingBuilder>? ConfigureLogging { get; init; }
}

/// <summary>
/// The sample site: ASP.NET Core Identity on SQLite, the Shopify customer sync from <c>OrchardShopify.AspNetCore</c>,
/// admin pages, customer pages with tag helpers, and demo mode (the Shopify emulator in-process) when no store is configured.
/// </summary>
public static class SiteApp
{
    public static async Task<int> RunAsync(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length > 0 && args[0] == "reset-admin-password")
        {
            return await ResetAdminPasswordAsync(args[1..]);
        }

        RunningSite site;
        try
        {
            site = await StartAsync(new SiteStartOptions { Args = args }, CancellationToken.None);
        }
        catch (OptionsValidationException ex)
        {
            await Console.Error.WriteLineAsync("The configuration is not valid:");
            foreach (var failure in ex.Failures)
            {
                await Console.Error.WriteLineAsync("  " + failure);
            }

            return 2;
        }
        catch (IOException ex) when (ex.InnerException is not null || ex.Message.Contains("address", StringComparison.OrdinalIgnoreCase))
        {
            await Console.Error.WriteLineAsync($"The site could not listen: {ex.Message} Start it on another address with --urls http://127.0.0.1:5001.");
            return 2;
        }

        await using (site)
        {
            site.WriteWelcome(Console.Out);
            await site.App.WaitForShutdownAsync();
        }

        return 0;
    }

    /// <summary>
    /// <c>reset-admin-password</c>: a new password for the administrator, printed once, without starting the site (the
    /// same configuration decides where the data is). <c>Site:AdminPassword</c> only sets the first administrator's.
    /// </summary>
    public static async Task<int> ResetAdminPasswordAsync(string[] args, TextWriter? output = null, IReadOnlyDictionary<string, string?>? settings = null)
    {
        output ??= Console.Out;
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ApplicationName = typeof(SiteApp).Assembly.GetName().Name });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        builder.Logging.ClearProviders();
        var site = builder.Configuration.GetSection(SiteOptions.SectionName).Get<SiteOptions>() ?? new SiteOptions();
        var dataPath = Path.GetFullPath(site.DataPath ?? Path.Combine(builder.Environment.ContentRootPath, "App_Data"));
        if (DemoShopify.IsWanted(builder.Configuration, site))
        {
            dataPath = Path.Combine(dataPath, "demo");
        }

        var database = Path.Combine(dataPath, "site.db");
        if (!File.Exists(database))
        {
            await output.WriteLineAsync($"No site database at {database}: start the site once, and it creates the administrator.");
            return 2;
        }

        var adminRole = builder.Configuration["Shopify:AdminRole"] is { Length: > 0 } role ? role : new ShopifyHostOptions().AdminRole;
        AddSiteDatabase(builder, database);
        builder.Services.AddIdentityCore<SiteUser>().AddRoles<IdentityRole>().AddEntityFrameworkStores<SiteDbContext>();
        await using var app = builder.Build();
        try
        {
            var admin = await AdminBootstrap.ResetPasswordAsync(app.Services, adminRole, site.AdminEmail);
            await output.WriteLineAsync($"New password of {admin.Email}: {admin.Password}");
            await output.WriteLineAsync("It is shown only now; sign in at /account/sign-in.");
            return 0;
        }
        catch (InvalidOperationException ex)
        {
            await output.WriteLineAsync(ex.Message);
            return 2;
        }
    }

    public static async Task<RunningSite> StartAsync(SiteStartOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = options.Args,
            ApplicationName = typeof(SiteApp).Assembly.GetName().Name,
            ContentRootPath = options.ContentRootPath,
            EnvironmentName = options.EnvironmentName,
        });
        if (options.Settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(options.Settings);
        }

        if (options.Urls is not null)
        {
            builder.WebHost.UseUrls(options.Urls);
        }

        options.ConfigureLogging?.Invoke(builder.Logging);

        var site = builder.Configuration.GetSection(SiteOptions.SectionName).Get<SiteOptions>() ?? new SiteOptions();
        var dataPath = Path.GetFullPath(site.DataPath ?? Path.Combine(builder.Environment.ContentRootPath, "App_Data"));
        var defaults = new Dictionary<string, string?>();
        var demo = await DemoShopify.StartIfWantedAsync(builder.Configuration, site, cancellationToken);
        if (demo is not null)
        {
            // Demo data lives apart from a real site's, so switching to real stores starts clean.
            dataPath = Path.Combine(dataPath, "demo");
            foreach (var (key, value) in demo.Settings())
            {
                defaults[key] = value;
            }
        }

        Directory.CreateDirectory(dataPath);
        var syncDatabase = Path.Combine(dataPath, "shopify-sync.db");
        defaults["Shopify:Storage:ConnectionString"] = $"Data Source={syncDatabase}";
        if (site.PublicUrl is not null)
        {
            // The health check compares the stores' webhook subscriptions with this address.
            defaults["Shopify:PublicUrls:0"] = site.PublicUrl.AbsoluteUri;
        }

        // Defaults go first, so appsettings, the environment and the command line still win.
        ((IConfigurationBuilder)builder.Configuration).Sources.Insert(0, new MemoryConfigurationSource { InitialData = defaults });
        var adminRole = builder.Configuration["Shopify:AdminRole"] is { Length: > 0 } role ? role : new ShopifyHostOptions().AdminRole;
        ConfigureServices(builder, dataPath, adminRole);
        builder.Services.AddSingleton(new SiteMode(demo is not null, demo?.BaseUrl));

        var app = builder.Build();
        try
        {
            await PrepareDatabaseAsync(app.Services, clearShopifyIds: demo is not null, cancellationToken);
            var admin = await AdminBootstrap.EnsureAdminAsync(app.Services, adminRole, site.AdminEmail, site.AdminPassword);
            await AdminBootstrap.EnsureTagRolesAsync(app.Services, cancellationToken);
            ConfigurePipeline(app);
            await app.StartAsync(cancellationToken);

            var listening = ListeningAddress(app);
            var webhookUrl = new Uri(site.PublicUrl ?? listening, "/!/shopify/webhook");
            if (demo is not null)
            {
                await demo.PrepareAsync(app.Services, webhookUrl, site.Demo.CustomerPassword, cancellationToken);
            }

            return new RunningSite(app, listening, dataPath, demo, admin, site);
        }
        catch
        {
            await app.DisposeAsync();
            if (demo is not null)
            {
                await demo.DisposeAsync();
            }

            throw;
        }
    }

    private static void ConfigureServices(WebApplicationBuilder builder, string dataPath, string adminRole)
    {
        var services = builder.Services;
        services.AddDataProtection()
            .PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(dataPath, "keys")))
            .SetApplicationName("OrchardShopify.Web");
        AddSiteDatabase(builder, Path.Combine(dataPath, "site.db"));
        services.AddIdentity<SiteUser, IdentityRole>(o =>
            {
                o.User.RequireUniqueEmail = true;
                o.SignIn.RequireConfirmedAccount = false;
                o.Password.RequiredLength = 8;
                o.Lockout.MaxFailedAccessAttempts = 10;
            })
            .AddEntityFrameworkStores<SiteDbContext>()
            .AddDefaultTokenProviders();
        // A password set from a mailed link (or any other change of the security stamp) signs out the account's other
        // sessions at their next request, not up to 30 minutes later (Identity's default interval): a stranger who had
        // registered with someone's email must not keep the account once its owner has taken it over.
        services.Configure<SecurityStampValidatorOptions>(o => o.ValidationInterval = TimeSpan.Zero);
        services.ConfigureApplicationCookie(o =>
        {
            o.LoginPath = "/account/sign-in";
            o.LogoutPath = "/account/sign-out";
            o.AccessDeniedPath = "/account/access-denied";
            o.Cookie.Name = "orchardshopify.auth";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = Microsoft.AspNetCore.Http.SameSiteMode.Lax;
            o.SlidingExpiration = true;
        });
        services.AddAntiforgery(o => o.Cookie.Name = "orchardshopify.antiforgery");
        services.AddSingleton(sp => new MailOutbox(Path.Combine(dataPath, "outbox"), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<MailOutbox>>()));
        services.AddTransient<IEmailSender<SiteUser>, OutboxEmailSender>();
        SiteRateLimits.Add(services, builder.Configuration);

        services.AddShopifyCustomerSync(builder.Configuration.GetSection("Shopify"))
            .UseIdentityUsers<SiteUser>();
        services.Configure<ShopifyAdminClientOptions>(builder.Configuration.GetSection("Shopify:AdminClient"));

        services.AddAuthorizationBuilder()
            .AddPolicy(SitePolicies.Admin, p => p.RequireAuthenticatedUser().RequireRole(adminRole));
        services.Configure<RouteOptions>(o => o.LowercaseUrls = true);
        services.AddRazorPages(o =>
        {
            o.Conventions.AuthorizeFolder("/Admin", SitePolicies.Admin);
            o.Conventions.AuthorizePage("/Account/Index");
            o.Conventions.AuthorizePage("/Wholesale");
        });
        services.AddSingleton<SiteAssets>();
        services.Configure<SiteOptions>(builder.Configuration.GetSection(SiteOptions.SectionName));
    }

    /// <summary>
    /// The users' database gets the sync database's settings (<c>Shopify:Storage:SqliteSynchronous</c> and
    /// <c>SqliteBusyTimeout</c>, WAL mode), as docs/aspnetcore.md recommends for Identity on SQLite. EF Core creates the
    /// file in WAL mode already; without the settings every commit synced the disk (SQLite's default <c>FULL</c>), and a
    /// page or a worker's batch that found the file locked by the other slept in Microsoft.Data.Sqlite's 150 ms retry
    /// steps instead of waiting in SQLite. One interceptor for every context, so each connection is configured once.
    /// </summary>
    private static void AddSiteDatabase(WebApplicationBuilder builder, string file)
    {
        var storage = builder.Configuration.GetSection("Shopify:Storage").Get<ShopifyStorageOptions>() ?? new ShopifyStorageOptions();
        var settings = new SqliteWalInterceptor(storage.SqliteSynchronous, storage.SqliteBusyTimeout);
        builder.Services.AddDbContext<SiteDbContext>(o => o.UseSqlite($"Data Source={file}").AddInterceptors(settings));
    }

    private static void ConfigurePipeline(WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/error");
        }

        app.Use(async (http, next) =>
        {
            var headers = http.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "same-origin";
            headers.ContentSecurityPolicy = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'";
            await next();
        });
        app.UseStatusCodePagesWithReExecute("/error", "?status={0}");
        app.UseRouting();
        app.UseAuthentication();
        // After authentication: confirmation mails are limited per account as well as per address.
        app.UseRateLimiter();
        app.UseAuthorization();

        app.MapGet("/assets/{name}", (string name, SiteAssets assets) => assets.Serve(name)).AllowAnonymous();
        app.MapRazorPages();
        app.MapShopifyWebhooks();
        app.MapShopifyCustomerApi();
        app.MapShopifyAdminApi();
        app.MapHealthChecks("/health");
    }

    private static async Task PrepareDatabaseAsync(IServiceProvider services, bool clearShopifyIds, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SiteDbContext>();
        await db.Database.EnsureCreatedAsync(cancellationToken);
        if (clearShopifyIds)
        {
            // The users stay; their ids of the previous emulator run's customers go (the demo relinks them by email).
            await db.UserClaims
                .Where(c => c.ClaimType == ShopifyUserClaims.ShopifyId || c.ClaimType!.StartsWith(ShopifyUserClaims.ShopifyIdsPrefix))
                .ExecuteDeleteAsync(cancellationToken);
        }
    }

    private static Uri ListeningAddress(WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var first = addresses.FirstOrDefault(a => a.StartsWith("http://", StringComparison.OrdinalIgnoreCase)) ?? addresses.First();
        var uri = new Uri(first.Replace("://+:", "://0.0.0.0:", StringComparison.Ordinal).Replace("://*:", "://0.0.0.0:", StringComparison.Ordinal));

        // A wildcard or "localhost" listener is reached on the loopback address by the emulator and the browser alike.
        var host = uri.Host is "0.0.0.0" or "[::]" or "localhost" ? "127.0.0.1" : uri.Host;
        return new UriBuilder(uri.Scheme, host, uri.Port).Uri;
    }
}
