using System.Net;
using System.Text;
using OrchardShopify.Core.ShopifyApi;
using OrchardShopify.ShopifyApi.Tests.Support;

namespace OrchardShopify.ShopifyApi.Tests;

public sealed class BulkExportTests
{
    [Fact]
    public async Task Export_starts_polls_until_completed_downloads_and_streams_customer_and_address_rows()
    {
        const string Jsonl = """
            {"id":"gid://shopify/Customer/1","firstName":"Ada","lastName":"Lovelace","note":null,"state":"ENABLED","createdAt":"2025-01-01T00:00:00Z","updatedAt":"2026-10-01T00:00:00Z","numberOfOrders":"2","defaultEmailAddress":{"emailAddress":"ada@example.com"},"defaultPhoneNumber":{"phoneNumber":"+442079460000"}}
            {"id":"gid://shopify/MailingAddress/11?model_name=CustomerAddress","address1":"12 St James's Square","city":"London","countryCodeV2":"GB","__parentId":"gid://shopify/Customer/1"}
            {"id":"gid://shopify/Customer/2","firstName":"Charles","lastName":"Babbage","note":"","state":"DISABLED","createdAt":"2025-01-02T00:00:00Z","updatedAt":"2026-10-02T00:00:00Z","numberOfOrders":"0","defaultEmailAddress":null,"defaultPhoneNumber":null}

            """;
        var polls = 0;
        var stub = new ShopifyStub((sent, _) => sent.OperationName switch
        {
            "BulkOperationRunQuery" => ShopifyStub.Data("""{"bulkOperationRunQuery":{"bulkOperation":{"id":"gid://shopify/BulkOperation/720918","status":"CREATED"},"userErrors":[]}}""", requested: 10, actual: 10),
            "BulkOperationStatus" => ShopifyStub.Data(++polls < 3
                ? """{"bulkOperation":{"id":"gid://shopify/BulkOperation/720918","status":"RUNNING","errorCode":null,"objectCount":"1","rootObjectCount":"1","url":null,"partialDataUrl":null}}"""
                : """{"bulkOperation":{"id":"gid://shopify/BulkOperation/720918","status":"COMPLETED","errorCode":null,"objectCount":"3","rootObjectCount":"2","url":"https://storage.example.com/bulk/720918.jsonl?sig=abc","partialDataUrl":null}}""", requested: 1, actual: 1),
            null when sent.Method == HttpMethod.Get => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(Jsonl, Encoding.UTF8, "application/jsonl") },
            _ => throw new InvalidOperationException(sent.OperationName),
        });
        using var shopify = new TestShopify(stub);

        var rows = new List<BulkExportRow>();
        await foreach (var row in shopify.Bulk.ExportAsync(shopify.Store, CancellationToken.None))
        {
            rows.Add(row);
        }

        var first = Assert.IsType<BulkCustomerRow>(rows[0]);
        Assert.Equal(("ada@example.com", 2L), (first.Customer.Profile.Email, first.NumberOfOrders));
        var address = Assert.IsType<BulkCustomerAddressRow>(rows[1]);
        Assert.Equal((1L, "London"), (address.CustomerId, address.Address.City));
        Assert.Equal(2, Assert.IsType<BulkCustomerRow>(rows[2]).Customer.Id);
        Assert.Equal(3, rows.Count);
        Assert.Equal(3, polls);

        var run = stub.Operations("BulkOperationRunQuery").Single();
        Assert.Contains("addressesV2", run.Variables!["query"]!.GetValue<string>(), StringComparison.Ordinal);
        var download = stub.Sent.Single(s => s.Method == HttpMethod.Get);
        Assert.Equal("storage.example.com", download.Url.Host);
        Assert.Null(download.AccessToken);
    }

    [Theory]
    [InlineData(0, 500)]
    [InlineData(1_000, 500)]
    [InlineData(2_000, 500)]
    [InlineData(4_000, 1_000)]
    [InlineData(60_000, 15_000)]
    [InlineData(120_000, 30_000)]
    [InlineData(600_000, 30_000)]
    public void Each_status_poll_waits_a_quarter_of_the_time_waited_between_the_shortest_and_longest_wait(int waitedMs, int expectedMs)
    {
        var defaults = new ShopifyAdminClientOptions();
        Assert.Equal(
            TimeSpan.FromMilliseconds(expectedMs),
            BulkCustomerExport.NextPollDelay(TimeSpan.FromMilliseconds(waitedMs), defaults.BulkPollInitialDelay, defaults.BulkPollMaxDelay));
    }

    [Fact]
    public async Task An_export_ready_after_nine_seconds_is_seen_by_the_twelfth_poll_less_than_a_quarter_late()
    {
        var time = new ObservedTimeProvider();
        var started = time.GetUtcNow();
        var ready = started.AddSeconds(9);
        var polledAt = new List<TimeSpan>();
        var stub = new ShopifyStub((sent, _) =>
        {
            polledAt.Add(time.GetUtcNow() - started);
            return ShopifyStub.Data(time.GetUtcNow() < ready
                ? """{"bulkOperation":{"id":"gid://shopify/BulkOperation/9","status":"RUNNING","errorCode":null,"objectCount":"10","rootObjectCount":"10","url":null,"partialDataUrl":null}}"""
                : """{"bulkOperation":{"id":"gid://shopify/BulkOperation/9","status":"COMPLETED","errorCode":null,"objectCount":"90","rootObjectCount":"90","url":"https://storage.example.com/bulk/9.jsonl","partialDataUrl":null}}""", requested: 1, actual: 1);
        });
        using var shopify = new TestShopify(stub, time, o => (o.BulkPollInitialDelay, o.BulkPollMaxDelay) = (TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(30)));

        var waiting = shopify.Bulk.WaitForCompletionAsync(shopify.Store, "gid://shopify/BulkOperation/9", CancellationToken.None);
        var seen = 0;
        while (true)
        {
            // After each poll, the client's next wait, once it waits: then the clock moves by exactly that much.
            await Eventually.True(() => waiting.IsCompleted || polledAt.Count > seen, "the client polls");
            if (waiting.IsCompleted)
            {
                break;
            }

            seen = polledAt.Count;

            var wait = BulkCustomerExport.NextPollDelay(time.GetUtcNow() - started, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(30));
            await Eventually.True(() => time.HasTimerDueIn(wait), $"the client waits {wait} (polled at {string.Join(", ", polledAt)}; now {time.GetUtcNow() - started})");
            time.Advance(wait);
        }

        var operation = await waiting;
        Assert.Equal(BulkOperationState.Completed, operation.Status);
        Assert.Equal(90, operation.RootObjectCount);

        // Every half second for the first 2.5 s, then a quarter of the time waited: seen 0.54 s after it was ready,
        // where waits doubling from 1 s would have polled at 7 s and then at 15 s.
        Assert.Equal(12, polledAt.Count);
        Assert.Equal([0, 500, 1_000, 1_500, 2_000, 2_500, 3_125], polledAt.Take(7).Select(t => t.TotalMilliseconds));
        Assert.InRange(polledAt[^1], TimeSpan.FromSeconds(9), TimeSpan.FromSeconds(9 * 1.25));
        Assert.True(polledAt[^2] < TimeSpan.FromSeconds(9));
    }

    [Fact]
    public async Task Failed_bulk_operation_is_reported_with_its_error_code()
    {
        var stub = new ShopifyStub((sent, _) => sent.OperationName == "BulkOperationRunQuery"
            ? ShopifyStub.Data("""{"bulkOperationRunQuery":{"bulkOperation":{"id":"gid://shopify/BulkOperation/1","status":"CREATED"},"userErrors":[]}}""")
            : ShopifyStub.Data("""{"bulkOperation":{"id":"gid://shopify/BulkOperation/1","status":"FAILED","errorCode":"ACCESS_DENIED","objectCount":"0","rootObjectCount":"0","url":null,"partialDataUrl":null}}"""));
        using var shopify = new TestShopify(stub);

        var error = await Assert.ThrowsAsync<ShopifyApiException>(async () =>
        {
            await foreach (var unused in shopify.Bulk.ExportAsync(shopify.Store, CancellationToken.None))
            {
            }
        });

        Assert.Contains("ACCESS_DENIED", error.Message, StringComparison.Ordinal);
        Assert.False(error.IsTransient);
    }

    [Fact]
    public async Task Two_hundred_thousand_lines_stream_row_by_row_without_reading_ahead()
    {
        const int Lines = 200_000;
        const int Window = 2_000;
        var consumed = 0;
        using var source = new GeneratedJsonlStream(Lines, () => consumed, Window);

        var customers = 0;
        var addresses = 0;
        await foreach (var row in BulkCustomerExport.ReadRowsAsync(source, maxLineBytes: 64 * 1024, CancellationToken.None))
        {
            consumed++;
            if (row is BulkCustomerRow)
            {
                customers++;
            }
            else if (row is BulkCustomerAddressRow)
            {
                addresses++;
            }
        }

        Assert.Equal(Lines, consumed);
        Assert.Equal((Lines / 2, Lines / 2), (customers, addresses));
        Assert.True(source.MaxAhead <= Window, $"read {source.MaxAhead} lines ahead of the consumer");
    }

    [Fact]
    public async Task A_line_longer_than_the_limit_is_rejected_instead_of_buffered()
    {
        using var endless = new MemoryStream(Encoding.UTF8.GetBytes("{\"id\":\"" + new string('x', 300_000)));

        await Assert.ThrowsAsync<InvalidDataException>(async () =>
        {
            await foreach (var unused in BulkCustomerExport.ReadRowsAsync(endless, maxLineBytes: 100_000, CancellationToken.None))
            {
            }
        });
    }

    /// <summary>
    /// Produces JSONL lazily (a customer, then its address) and fails if asked for more than <c>window</c> lines beyond
    /// what the consumer has taken: a reader that buffers the file cannot pass.
    /// </summary>
    private sealed class GeneratedJsonlStream(int lines, Func<int> consumed, int window) : Stream
    {
        private byte[] _current = [];
        private int _offset;
        private int _produced;

        public int MaxAhead { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var written = 0;
            while (written < count)
            {
                if (_offset == _current.Length)
                {
                    if (_produced == lines)
                    {
                        break;
                    }

                    var ahead = _produced - consumed();
                    MaxAhead = Math.Max(MaxAhead, ahead);
                    if (ahead > window)
                    {
                        throw new InvalidOperationException($"The reader asked for line {_produced} while only {consumed()} rows were consumed.");
                    }

                    _current = Encoding.UTF8.GetBytes(LineFor(_produced++));
                    _offset = 0;
                }

                var n = Math.Min(count - written, _current.Length - _offset);
                Array.Copy(_current, _offset, buffer, offset + written, n);
                _offset += n;
                written += n;
            }

            return written;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private static string LineFor(int i) => i % 2 == 0
            ? $$"""{"id":"gid://shopify/Customer/{{i + 1}}","firstName":"Customer","lastName":"{{i}}","updatedAt":"2026-10-01T00:00:00Z","defaultEmailAddress":{"emailAddress":"c{{i}}@example.com"},"defaultPhoneNumber":null}""" + "\n"
            : $$"""{"id":"gid://shopify/MailingAddress/{{i}}?model_name=CustomerAddress","city":"London","countryCodeV2":"GB","__parentId":"gid://shopify/Customer/{{i}}"}""" + "\n";
    }
}
