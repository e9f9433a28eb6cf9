using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.AspNetCore.Workers;
using OrchardShopify.Testing.Hosting.Postgres;

namespace OrchardShopify.AspNetCore.Tests.Runner;

/// <summary>The runner (the Orchard Core module's way of starting the workers) with several inbound workers on PostgreSQL.</summary>
public sealed class SyncRunnerWorkersTests
{
    [PostgresFact]
    public async Task Stopping_the_runner_stops_every_inbound_worker_and_a_restart_works_what_waited()
    {
        await using var database = await ScratchPostgresDatabase.CreateAsync();
        var folder = Path.Combine(Path.GetTempPath(), "orchardshopify-tests", Guid.NewGuid().ToString("N"));
        var provider = RunnerDeliveries.Services(new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "PostgreSql",
            ["Storage:ConnectionString"] = database.ConnectionString,
            ["Storage:InboxFile"] = Path.Combine(folder, "inbox.db"),
            ["Queue:InboundWorkers"] = "3",
        });
        try
        {
            var runner = provider.GetRequiredService<ShopifySyncRunner>();
            await runner.StartAsync(CancellationToken.None);
            Assert.True(await RunnerDeliveries.AppendDeleteAsync(provider, 91, "wh-workers-1"));
            Assert.Equal(WorkStatus.Succeeded, (await RunnerDeliveries.WaitForOutcomeAsync(provider, "wh-workers-1")).Status);
            using (var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
            {
                await runner.StopAsync(limit.Token);
            }

            // Any inbound worker still running would move this delivery into the queue and apply it.
            Assert.True(await RunnerDeliveries.AppendDeleteAsync(provider, 92, "wh-workers-2"));
            await Task.Delay(500);
            Assert.True((await RunnerDeliveries.ItemAsync(provider, "wh-workers-2"))?.Status is null or WorkStatus.Pending);

            await runner.StartAsync(CancellationToken.None);
            var item = await RunnerDeliveries.WaitForOutcomeAsync(provider, "wh-workers-2");
            await runner.DisposeAsync();
            Assert.Equal((WorkStatus.Succeeded, 92L), (item.Status, item.CustomerId));
        }
        finally
        {
            await provider.DisposeAsync();
            SqliteConnection.ClearAllPools();
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }
}
