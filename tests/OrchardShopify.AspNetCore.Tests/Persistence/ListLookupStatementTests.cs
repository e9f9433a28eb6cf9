using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Testing;
using OrchardShopify.AspNetCore.Tests.Support;
using OrchardShopify.Core.Ports;

namespace OrchardShopify.AspNetCore.Tests.Persistence;

/// <summary>
/// A batch's look-up of customers in the SQLite sync database (the site's registration of it): one statement whose
/// customer ids are one parameter, the same text whatever the batch's length, and still the right customers.
/// </summary>
public sealed partial class ListLookupStatementTests
{
    [Fact]
    public async Task On_SQLite_a_batch_of_customers_is_looked_up_by_one_statement_with_its_ids_as_one_parameter_whatever_its_length()
    {
        await using var logged = new LoggedSqliteNode();
        var node = logged.Node;
        await node.StartAsync(workers: false);
        var links = node.Get<ICustomerLinkStore>();
        var bulk = Assert.IsAssignableFrom<IBulkCustomerLinkStore>(links);
        var linkedAt = new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);

        // 300 linked customers (every other id), one deleted one, and a customer of another store.
        await bulk.AddNewAsync([.. Enumerable.Range(0, 300).Select(i => new CustomerLink("uk", 7_000_000_000 + (2 * i), $"user-{i}", linkedAt))], CancellationToken.None);
        await links.MarkDeletedAsync("uk", 7_000_000_001, null, linkedAt, CancellationToken.None);
        await links.TryAddAsync(new CustomerLink("us", 7_000_000_003, "user-us", linkedAt), CancellationToken.None);

        logged.Logs.Clear();
        var few = await bulk.FindLinkedAsync("uk", [7_000_000_000, 7_000_000_001, 7_000_000_003, 7_000_000_005], CancellationToken.None);
        var batch = await bulk.FindLinkedAsync("uk", [.. Enumerable.Range(0, 250).Select(i => 7_000_000_000L + i)], CancellationToken.None);

        Assert.Equal(new HashSet<long> { 7_000_000_000, 7_000_000_001 }, few.ToHashSet());
        Assert.Equal(Enumerable.Range(0, 125).Select(i => 7_000_000_000L + (2 * i)).Append(7_000_000_001).ToHashSet(), batch.ToHashSet());

        var statements = logged.ExecutedCommands().Select(Statement).ToList();
        Assert.Equal(2, statements.Count);
        Assert.All(statements, s => Assert.Contains("json_each(", s.Sql, StringComparison.Ordinal));
        // EF Core names a captured variable's parameter after the compiler's closure field: "@storeHandle" in a
        // Release build, "@_8__locals1_storeHandle" or the like in a Debug one. Two parameters whatever the list's size.
        Assert.All(statements, s => Assert.Collection(
            s.Parameters,
            name => Assert.EndsWith("storeHandle", name, StringComparison.Ordinal),
            name => Assert.Equal("@ids", name)));
        Assert.Equal(statements[0].Sql, statements[1].Sql);
    }

    /// <summary>An executed statement's text and parameter names, from EF Core's command log entry.</summary>
    private static (string Sql, List<string> Parameters) Statement(FakeLogRecord entry)
    {
        var newline = entry.Message.IndexOf('\n', StringComparison.Ordinal);
        var header = entry.Message[..newline];
        var start = header.IndexOf("[Parameters=[", StringComparison.Ordinal);
        var parameters = header[start..header.IndexOf(']', start)];
        return (entry.Message[(newline + 1)..].Trim(), ParameterName().Matches(parameters).Select(m => m.Value).ToList());
    }

    [GeneratedRegex(@"@\w+(?==)")]
    private static partial Regex ParameterName();
}
