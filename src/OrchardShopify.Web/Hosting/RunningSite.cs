using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Web.Demo;
using OrchardShopify.Web.Identity;

namespace OrchardShopify.Web.Hosting;

/// <summary>A started site: its address, and in demo mode the emulator behind it.</summary>
public sealed class RunningSite : IAsyncDisposable
{
    private readonly SiteOptions _site;

    internal RunningSite(WebApplication app, Uri baseUrl, string dataPath, DemoShopify? demo, AdminCredentials? newAdmin, SiteOptions site)
    {
        App = app;
        BaseUrl = baseUrl;
        DataPath = dataPath;
        Demo = demo;
        NewAdmin = newAdmin;
        _site = site;
    }

    public WebApplication App { get; }

    public Uri BaseUrl { get; }

    public string DataPath { get; }

    /// <summary>Demo mode and its in-process Shopify; null with real stores.</summary>
    public DemoShopify? Demo { get; }

    /// <summary>The administrator created by this start, with the generated password; null when one existed already.</summary>
    public AdminCredentials? NewAdmin { get; }

    public IServiceProvider Services => App.Services;

    public IReadOnlyList<DemoAccount> DemoAccounts => Demo is null ? [] : DemoSeeder.Accounts;

    public string DemoPassword => _site.Demo.CustomerPassword;

    public void WriteWelcome(TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var stores = Services.GetRequiredService<StoreRegistry>().Stores;
        output.WriteLine();
        output.WriteLine($"OrchardShopify site: {BaseUrl}");
        output.WriteLine($"  data: {DataPath}");
        Demo?.WriteWhereItRuns(output);

        foreach (var store in stores)
        {
            output.WriteLine($"  store {store.Handle}: {store.ShopDomain}, Admin API {store.ApiVersion}, webhooks to {new Uri(_site.PublicUrl ?? BaseUrl, "/!/shopify/webhook")}");
        }

        output.WriteLine();
        if (NewAdmin is { Password: { } password })
        {
            output.WriteLine("Administrator created (this password is shown once; keep it):");
            output.WriteLine($"  email:    {NewAdmin.Email}");
            output.WriteLine($"  password: {password}");
        }
        else
        {
            output.WriteLine($"Administrator: {_site.AdminEmail} (password as printed on first start; lost it? dotnet run --project src/OrchardShopify.Web -- reset-admin-password)");
        }

        if (Demo is not null)
        {
            DemoShopify.WriteAccounts(output, DemoPassword);
        }

        output.WriteLine();
        output.WriteLine("Try:");
        if (Demo is not null)
        {
            output.WriteLine($"  1. {new Uri(BaseUrl, "/account/sign-in")} as ada@example.com: your orders and addresses in each store.");
            output.WriteLine($"  2. {new Uri(BaseUrl, "/account")}: change your name; the customer changes in Shopify, and Shopify's webhook about it changes nothing (no echo).");
            output.WriteLine($"  3. Sign in as the administrator: {new Uri(BaseUrl, "/admin")} for settings, customers, the sync log, dead letters and reconciliation.");
            output.WriteLine($"  4. {new Uri(BaseUrl, "/admin/sync")}: import each store's generated customers (Sync now) and watch the progress.");
            output.WriteLine("  5. Create a customer as a merchant would, and watch it appear under Admin > Customers:");
            output.WriteLine("     " + Demo.CreateCustomerCommand());
        }
        else
        {
            output.WriteLine($"  1. Sign in as the administrator: {new Uri(BaseUrl, "/admin/settings")}, then Test connection and Register webhooks for each store (Shopify calls only https: set Site:PublicUrl).");
            output.WriteLine($"  2. {new Uri(BaseUrl, "/admin/sync")}: import each store's customers (Sync now).");
            output.WriteLine($"  3. {new Uri(BaseUrl, "/account/register")}: a new account is created as a customer in every store; /account shows its orders and addresses.");
        }

        output.WriteLine();
        output.WriteLine("Stop with Ctrl+C.");
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        if (Demo is not null)
        {
            await Demo.DisposeAsync();
        }

        SqliteConnection.ClearAllPools();
    }
}
