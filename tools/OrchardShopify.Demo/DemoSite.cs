using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrchardShopify.AspNetCore.Admin;
using OrchardShopify.AspNetCore.DependencyInjection;
using OrchardShopify.AspNetCore.Users;
using OrchardShopify.Core.Ports;

namespace OrchardShopify.Demo;

/// <summary>A site's user, with the name fields the sync maps to Shopify's first and last name.</summary>
public sealed class DemoUser : IdentityUser
{
    public string? FirstName { get; set; }

    public string? LastName { get; set; }
}

internal sealed class DemoIdentityDb(DbContextOptions<DemoIdentityDb> options) : IdentityDbContext<DemoUser>(options)
{
    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.HasShopifyLookupIndexes<DemoUser>();
    }
}

/// <summary>
/// A site as the ASP.NET Core host sets one up: Identity users and the sync's inbox, queue and log on SQLite files in a
/// temporary folder, the webhook endpoints, and the workers that apply deliveries and push user changes.
/// </summary>
internal sealed class DemoSite : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _folder;

    private DemoSite(WebApplication app, string folder, Uri baseUrl)
    {
        _app = app;
        _folder = folder;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }

    public Uri WebhookUrl => new(BaseUrl, "/!/shopify/webhook");

    public IServiceProvider Services => _app.Services;

    /// <param name="settings">The <c>Shopify</c> configuration section's keys, with their section prefix.</param>
    public static async Task<DemoSite> StartAsync(IDictionary<string, string?> settings, CancellationToken cancellationToken)
    {
        var folder = Path.Combine(Path.GetTempPath(), "orchardshopify-demo", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        settings["Shopify:Storage:ConnectionString"] = $"Data Source={Path.Combine(folder, "shopify-sync.db")}";
        settings["Shopify:Queue:PollInterval"] = "00:00:00.100";

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = folder });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders().AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);

        var services = builder.Services;
        services.AddDbContext<DemoIdentityDb>(o => o.UseSqlite($"Data Source={Path.Combine(folder, "site.db")}"));
        services.AddIdentityCore<DemoUser>(o => o.User.RequireUniqueEmail = true)
            .AddEntityFrameworkStores<DemoIdentityDb>()
            .AddDefaultTokenProviders();
        services.AddAuthorization();
        services.AddShopifyCustomerSync(builder.Configuration.GetSection("Shopify")).UseIdentityUsers<DemoUser>();

        var app = builder.Build();
        try
        {
            await using (var scope = app.Services.CreateAsyncScope())
            {
                await scope.ServiceProvider.GetRequiredService<DemoIdentityDb>().Database.EnsureCreatedAsync(cancellationToken);
            }

            app.MapShopifyWebhooks();
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new DemoSite(app, folder, new Uri(address));
    }

    /// <summary>Runs <paramref name="action"/> with the site's <see cref="UserManager{TUser}"/>, as a page of the site would.</summary>
    public async Task<T> WithUsersAsync<T>(Func<UserManager<DemoUser>, Task<T>> action)
    {
        await using var scope = Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<UserManager<DemoUser>>());
    }

    /// <summary>Every user as the sync sees them (names, phone, Shopify ids).</summary>
    public async Task<IReadOnlyList<SyncUser>> UsersAsync(CancellationToken cancellationToken)
    {
        await using var scope = Services.CreateAsyncScope();
        var ids = await scope.ServiceProvider.GetRequiredService<DemoIdentityDb>().Users.OrderBy(u => u.Email).Select(u => u.Id).ToListAsync(cancellationToken);
        var directory = scope.ServiceProvider.GetRequiredService<IUserDirectory>();
        var users = new List<SyncUser>();
        foreach (var id in ids)
        {
            if (await directory.FindByIdAsync(id, cancellationToken) is { } user)
            {
                users.Add(user);
            }
        }

        return users;
    }

    /// <summary>The sync log, oldest first.</summary>
    public async Task<IReadOnlyList<SyncLogRecord>> LogAsync(CancellationToken cancellationToken)
    {
        await using var scope = Services.CreateAsyncScope();
        var entries = await scope.ServiceProvider.GetRequiredService<ShopifySyncAdmin>().GetLogAsync(new SyncLogQuery(Take: ShopifySyncAdmin.MaxTake), cancellationToken);
        return [.. entries.OrderBy(e => e.Id)];
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still open; the temporary folder is left to the operating system.
        }
    }
}
