using OrchardShopify.Core.Ports;
using OrchardShopify.Demo;

namespace OrchardShopify.EndToEnd.Tests;

/// <summary>
/// The README's run command, as a test: the engine and the Admin client against the emulator over real
/// HTTP, with webhooks signed and delivered by the emulator.
/// </summary>
public sealed class DemoScenarioTests
{
    [Fact]
    public async Task The_demo_reaches_the_documented_end_state()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using var output = new StringWriter();

        var outcome = await DemoScenario.RunAsync(output, timeout.Token);

        var ada = Assert.Single(outcome.Users, u => u.Email == "ada@example.com");
        Assert.Equal(("Ada", "King", "+442079460999"), (ada.FirstName, ada.LastName, ada.Phone));
        Assert.False(ada.ShopifyIds.ContainsKey("uk"));
        Assert.True(ada.ShopifyIds.ContainsKey("us"));

        var grace = Assert.Single(outcome.Users, u => u.Email == "grace@example.com");
        Assert.Equal(2, grace.ShopifyIds.Count);
        Assert.Single(outcome.UkEmails, e => e == "grace@example.com");
        Assert.Single(outcome.UsEmails, e => e == "grace@example.com");
        Assert.DoesNotContain(outcome.UkEmails, e => e == "ada@example.com");
        Assert.Equal(["uk", "us"], outcome.Log.Where(e => e.Direction == SyncDirection.Outbound && e.UserId == grace.Id && e.Outcome == "created").Select(e => e.Store).Order());
        Assert.Equal("+442079460000", grace.Phone);

        // One push per store for Ada's phone change, none for the Shopify-side edits: no ping-pong.
        Assert.Equal(2, outcome.Log.Count(e => e.Direction == SyncDirection.Outbound && e.UserId == ada.Id));
        Assert.Equal(2, outcome.Users.Count);
        Assert.Contains("registered webhooks through the Admin API", output.ToString(), StringComparison.Ordinal);
    }
}
