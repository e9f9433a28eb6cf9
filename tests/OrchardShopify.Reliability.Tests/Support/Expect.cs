using System.Globalization;
using OrchardShopify.Testing.Hosting.Sites;
using OrchardShopify.Testing.Hosting.Webhooks;

namespace OrchardShopify.Reliability.Tests.Support;

/// <summary>Assertions shared by the burst tests: the site ends with Shopify's state, each customer applied once.</summary>
internal static class Expect
{
    /// <summary>Outcomes that change users or links; a delivery may have at most one of them.</summary>
    public static readonly string[] Effects = ["created", "linked", "updated", "unlinked"];

    /// <summary>One user per customer, linked and carrying exactly Shopify's final id, names and phone.</summary>
    public static async Task UsersMatchShopifyAsync(SiteState state, IReadOnlyDictionary<long, ShopifyCustomerVersion> shopify, string store = SyncSite.Store)
    {
        var users = await state.UsersAsync();
        var links = await state.LinksAsync();
        Assert.Equal(shopify.Count, users.Count);
        Assert.Equal(users.Count, users.Select(u => u.Email!.ToUpperInvariant()).Distinct().Count());
        Assert.Equal(shopify.Count, links.Count(l => l.Store == store));
        var byEmail = users.ToDictionary(u => u.Email!, StringComparer.OrdinalIgnoreCase);
        var linkByCustomer = links.ToDictionary(l => l.CustomerId);
        foreach (var customer in shopify.Values)
        {
            var user = byEmail[customer.Email!];
            Assert.Equal(user.Id, linkByCustomer[customer.Id].UserId);
            Assert.Equal(customer.Id.ToString(CultureInfo.InvariantCulture), user.Claim("shopify_id"));
            Assert.Equal((customer.FirstName, customer.LastName, customer.Phone), (user.Claim("given_name"), user.Claim("family_name"), user.Phone));
        }
    }

    /// <summary>
    /// Every webhook id stored once and applied; in the sync log at least once and with at most one effect.
    /// <paramref name="replaysAllowed"/> is how many deliveries may have been applied a second time as a no-op
    /// (those a worker had in hand when its process died). <paramref name="retriesAllowed"/>: attempts that failed and were
    /// retried are expected where several nodes write the same user (Identity's optimistic concurrency).
    /// </summary>
    public static async Task AppliedExactlyOnceAsync(SiteState state, IReadOnlyCollection<string> webhookIds, int replaysAllowed = 0, bool retriesAllowed = false)
    {
        var items = (await state.WorkItemsAsync()).Where(w => w.Kind == WorkItemRow.Inbound).ToList();
        Assert.Equal(webhookIds.Count, items.Count);
        Assert.Equal(webhookIds.Order(StringComparer.Ordinal), items.Select(w => w.WebhookId!).Order(StringComparer.Ordinal));
        Assert.All(items, w => Assert.True(w.Status == WorkItemRow.Succeeded, $"{w.WebhookId}: status {w.Status}, {w.LastError}"));

        var log = (await state.SyncLogAsync()).Where(l => l.Direction == "inbound").GroupBy(l => l.WebhookId!).ToDictionary(g => g.Key, g => g.ToList());
        Assert.Equal(webhookIds.Order(StringComparer.Ordinal), log.Keys.Order(StringComparer.Ordinal));
        Assert.All(log, entry => Assert.True(entry.Value.Count(l => Effects.Contains(l.Outcome)) <= 1, $"{entry.Key} took effect {entry.Value.Count} times: {string.Join(", ", entry.Value.Select(l => l.Outcome))}"));
        Assert.DoesNotContain(log.Values.SelectMany(v => v), l => l.Outcome == "deadlettered" || (l.Outcome == "failed" && !retriesAllowed));
        var replayed = log.Count(entry => entry.Value.Count(l => l.Outcome != "failed") > 1);
        Assert.True(replayed <= replaysAllowed, $"{replayed} deliveries are in the log more than once; at most {replaysAllowed} may be.");
    }
}
