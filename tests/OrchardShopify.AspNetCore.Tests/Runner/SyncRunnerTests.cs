using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.AspNetCore.Tests.Support;
using OrchardShopify.AspNetCore.Workers;

namespace OrchardShopify.AspNetCore.Tests.Runner;

#pragma warning disable CA1001 // Disposed by IAsyncLifetime.DisposeAsync.
public sealed class SyncRunnerTests : IAsyncLifetime
#pragma warning restore CA1001
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "orchardshopify-tests", Guid.NewGuid().ToString("N"));
    private ServiceProvider _provider = null!;

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        _provider = RunnerDeliveries.Services(new Dictionary<string, string?>
        {
            ["Storage:ConnectionString"] = $"Data Source={Path.Combine(_folder, "nested", "sync.db")}",
        });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _provider.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public void Runner_takes_the_sync_background_services_off_the_generic_host()
    {
        var own = typeof(ShopifySyncRunner).Assembly;

        Assert.DoesNotContain(_provider.GetServices<IHostedService>(), s => s.GetType().Assembly == own);
        Assert.False(_provider.GetRequiredService<ShopifySyncRunner>().IsRunning);
    }

    [Fact]
    public async Task Started_runner_creates_the_schema_and_works_a_stored_delivery_until_stopped()
    {
        var runner = _provider.GetRequiredService<ShopifySyncRunner>();

        await runner.StartAsync(CancellationToken.None);
        Assert.True(runner.IsRunning);
        Assert.True(await AppendDeleteAsync(77, "wh-runner-1"));
        var item = await WaitForOutcomeAsync();
        await runner.StopAsync(CancellationToken.None);

        Assert.Equal((WorkStatus.Succeeded, 77L), (item.Status, item.CustomerId));
        Assert.False(runner.IsRunning);
        Assert.True(File.Exists(Path.Combine(_folder, "nested", "sync.db")));
    }

    [Fact]
    public async Task Stopped_runner_leaves_new_deliveries_waiting_and_works_them_after_a_restart()
    {
        var runner = _provider.GetRequiredService<ShopifySyncRunner>();
        await runner.StartAsync(CancellationToken.None);
        await runner.StopAsync(CancellationToken.None);

        Assert.True(await AppendDeleteAsync(78, "wh-runner-2"));
        await Task.Delay(300);

        // Stored (in the inbox file, or in the queue) and not applied.
        Assert.Equal(1, await SyncDatabases.StoredDeliveriesAsync(Path.Combine(_folder, "nested", "sync.db"), "wh-runner-2"));
        Assert.True((await SingleItemAsync())?.Status is null or WorkStatus.Pending);

        await runner.StartAsync(CancellationToken.None);
        var item = await WaitForOutcomeAsync();
        await runner.DisposeAsync();

        Assert.Equal(WorkStatus.Succeeded, item.Status);
    }

    private Task<bool> AppendDeleteAsync(long customerId, string webhookId) => RunnerDeliveries.AppendDeleteAsync(_provider, customerId, webhookId);

    private Task<WorkItem> WaitForOutcomeAsync() => RunnerDeliveries.WaitForOutcomeAsync(_provider);

    private Task<WorkItem?> SingleItemAsync() => RunnerDeliveries.ItemAsync(_provider);
}
