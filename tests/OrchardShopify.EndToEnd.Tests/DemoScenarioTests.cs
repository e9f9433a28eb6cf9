using Xunit.Abstractions;
using OrchardShopify.Core.Ports;
using OrchardShopify.Demo;

namespace OrchardShopify.EndToEnd.Tests;

/// <summary>
/// The README's run command, as a test: the engine and the Admin client against the emulator over real
/// HTTP, with webhooks signed and delivered by the emulator.
/// </summary>
public sealed class DemoScenarioTests(ITestOutputHelper log)
{
    [Fact]
    public async Task The_demo_reaches_the_documented_end_state()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        using var output = new StringWriter();

        DemoOutcome outcome;
        try
        {
            outcome = await DemoScenario.RunAsync(output, timeout.Token);
        }
        finally
        {
            // The demo's own account of each step and the sync log: what a failure needs to be read.
            log.WriteLine(output.ToString());
        }

        var ada = Assert.Single(outcome.Users, u => u.Email == "ada@example.com");
        Assert.Equal(("Ada", "King", "+442079460999"), (ada.FirstName, ada.LastName, ada.Phone));
        Assert.False(ada.ShopifyIds.ContainsKey("uk"));
        Assert.True(ada.ShopifyIds.ContainsKey("us"));

        var grace = Assert.Single(outcome.Users, u => u.Email == "grace@example.com");
        Assert.Equal(2, grace.ShopifyIds.Count);
        Assert.Equal("+442079460000", Assert.Single(outcome.UkCustomers, c => c.Email == "grace@example.com").Phone);
        Assert.Equal("+442079460000", Assert.Single(outcome.UsCustomers, c => c.Email == "grace@example.com").Phone);
        Assert.DoesNotContain(outcome.UkCustomers, c => c.Email == "ada@example.com");
        Assert.Equal(["uk", "us"], outcome.Log.Where(e => e.Direction == SyncDirection.Outbound && e.UserId == grace.Id && e.Outcome == "created").Select(e => e.Store).Order());
        // Shopify gets her phone in E.164; its customers/create webhooks are the echo of the push and leave it as she typed it.
        Assert.Equal("020 7946 0000", grace.Phone);

        // One push per store for Ada's phone change, none for the Shopify-side edits: no ping-pong.
        Assert.Equal(2, outcome.Log.Count(e => e.Direction == SyncDirection.Outbound && e.UserId == ada.Id));
        Assert.Equal(2, outcome.Users.Count);
        Assert.Contains("registered webhooks through the Admin API", output.ToString(), StringComparison.Ordinal);
    }
}
