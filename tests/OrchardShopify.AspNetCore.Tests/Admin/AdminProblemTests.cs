using System.Net;
using System.Text;
using System.Text.Json;
using OrchardShopify.AspNetCore.Tests.Support;
using OrchardShopify.Testing.Hosting.Sites;

namespace OrchardShopify.AspNetCore.Tests.Admin;

/// <summary>Every refusal of the admin JSON is one shape: a problem (RFC 9457) that keeps the <c>error</c> code and <c>message</c>.</summary>
public sealed class AdminProblemTests(SiteFixture fixture) : IClassFixture<SiteFixture>
{
    private const string Api = "/!/shopify/admin/api";

    private TestSite Site => fixture.Site;

    [Fact]
    public async Task An_oversized_body_is_refused_with_413_before_it_is_read_and_nothing_is_saved()
    {
        var before = await SettingsAsync();
        var region = before.GetProperty("defaultRegion").ValueKind == JsonValueKind.String && before.GetProperty("defaultRegion").GetString() == "NZ" ? "IE" : "NZ";
        var oversized = JsonSerializer.Serialize(new { defaultRegion = region, apiVersion = new string('x', 70 * 1024) });

        using var sized = await SendAsync(HttpMethod.Put, "/settings", new StringContent(oversized, Encoding.UTF8, "application/json"));
        using var chunked = await SendAsync(HttpMethod.Put, "/settings", new ChunkedJson(oversized));

        var problem = await ProblemAsync(sized);
        Assert.Equal((HttpStatusCode.RequestEntityTooLarge, "body_too_large"), (sized.StatusCode, problem.GetProperty("error").GetString()));
        Assert.Contains("65536 bytes", problem.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.RequestEntityTooLarge, "body_too_large"), (chunked.StatusCode, (await ProblemAsync(chunked)).GetProperty("error").GetString()));
        Assert.Equal(before.GetRawText(), (await SettingsAsync()).GetRawText());
    }

    [Fact]
    public async Task Every_admin_refusal_is_a_problem_with_its_error_code_and_message()
    {
        var refusals = new (HttpMethod Method, string Path, HttpContent? Body, string? Key, HttpStatusCode Status, string Error)[]
        {
            (HttpMethod.Get, "/links", null, null, HttpStatusCode.Unauthorized, "not_signed_in"),
            (HttpMethod.Get, "/links", null, "wrong-key-0123456789abcdef", HttpStatusCode.Unauthorized, "invalid_api_key"),
            (HttpMethod.Get, "/links?store=fr", null, TestSite.AdminKey, HttpStatusCode.BadRequest, "unknown_store"),
            (HttpMethod.Get, "/deliveries?status=lost", null, TestSite.AdminKey, HttpStatusCode.BadRequest, "invalid_status"),
            (HttpMethod.Get, "/deliveries?take=many", null, TestSite.AdminKey, HttpStatusCode.BadRequest, "invalid_request"),
            (HttpMethod.Get, "/deliveries?kind=bogus", null, TestSite.AdminKey, HttpStatusCode.BadRequest, "invalid_kind"),
            (HttpMethod.Delete, "/settings/stores/a%20b", null, TestSite.AdminKey, HttpStatusCode.BadRequest, "invalid_settings"),
            (HttpMethod.Post, "/deliveries/987654321/replay", null, TestSite.AdminKey, HttpStatusCode.NotFound, "not_replayable"),
            (HttpMethod.Post, "/users/no-such-user/push", null, TestSite.AdminKey, HttpStatusCode.NotFound, "unknown_user"),
            (HttpMethod.Post, "/import?store=fr", null, TestSite.AdminKey, HttpStatusCode.BadRequest, "unknown_store"),
            (HttpMethod.Post, "/import?store=uk", Json("{\"mode\": \"sometimes\"}"), TestSite.AdminKey, HttpStatusCode.BadRequest, "invalid_json"),
            (HttpMethod.Post, "/import?store=uk", new StringContent("{}", Encoding.UTF8, "text/plain"), TestSite.AdminKey, HttpStatusCode.UnsupportedMediaType, "unsupported_media_type"),
            (HttpMethod.Get, "/import/no-such-job", null, TestSite.AdminKey, HttpStatusCode.NotFound, "unknown_job"),
            (HttpMethod.Post, "/import/no-such-job/cancel", null, TestSite.AdminKey, HttpStatusCode.Conflict, "not_running"),
            (HttpMethod.Get, "/reconcile/no-such-job", null, TestSite.AdminKey, HttpStatusCode.NotFound, "unknown_job"),
            (HttpMethod.Post, "/reconcile/fix?store=uk", Json("{\"items\": []}"), TestSite.AdminKey, HttpStatusCode.BadRequest, "no_items"),
            (HttpMethod.Post, "/reconcile/fix?store=uk", Json("{\"items\": [null]}"), TestSite.AdminKey, HttpStatusCode.BadRequest, "invalid_item"),
            (HttpMethod.Get, "/statistics/deliveries?hours=0", null, TestSite.AdminKey, HttpStatusCode.BadRequest, "invalid_hours"),
            (HttpMethod.Put, "/settings", Json("{\"matchStrategy\": 7}"), TestSite.AdminKey, HttpStatusCode.BadRequest, "invalid_settings"),
            (HttpMethod.Post, "/stores/uk/webhooks", Json("{\"callbackBaseUrl\": \"https://attacker.example.com/\"}"), TestSite.AdminKey, HttpStatusCode.BadRequest, "callback_not_this_site"),
        };

        foreach (var (method, path, body, key, status, error) in refusals)
        {
            using var response = await SendAsync(method, path, body, key);
            var problem = await ProblemAsync(response);
            var what = $"{method} {path}";
            Assert.True(status == response.StatusCode, $"{what}: {(int)response.StatusCode} {problem}");
            Assert.Equal((error, (int)status), (problem.GetProperty("error").GetString(), problem.GetProperty("status").GetInt32()));
            Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("message").GetString()), what);
            Assert.Equal(problem.GetProperty("message").GetString(), problem.GetProperty("detail").GetString());
            Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()), what);
        }
    }

    [Theory]
    [InlineData(null, "not_signed_in")]
    [InlineData("wrong-key-0123456789abcdef", "invalid_api_key")]
    public async Task A_caller_who_may_not_use_the_admin_json_is_refused_before_its_body_is_read(string? key, string error)
    {
        // A chunked body whose first chunk is sent and whose end never comes: reading it would keep the request waiting.
        var address = Site.Http.BaseAddress!;
        using var client = new System.Net.Sockets.TcpClient();
        await client.ConnectAsync(address.Host, address.Port);
        var stream = client.GetStream();
        var head = $"PUT {Api}/settings HTTP/1.1\r\nHost: {address.Authority}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
            + (key is null ? "" : $"X-Api-Key: {key}\r\n") + "\r\n1\r\n{\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));

        var answer = new StringBuilder();
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!answer.ToString().Contains("\r\n\r\n", StringComparison.Ordinal) || !answer.ToString().Contains(error, StringComparison.Ordinal))
        {
            var read = await stream.ReadAsync(buffer, timeout.Token);
            if (read == 0)
            {
                break;
            }

            answer.Append(Encoding.UTF8.GetString(buffer, 0, read));
        }

        Assert.StartsWith("HTTP/1.1 401", answer.ToString(), StringComparison.Ordinal);
        Assert.Contains($"\"error\":\"{error}\"", answer.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_settings_name_every_key_at_fault_in_the_problem()
    {
        using var response = await SendAsync(HttpMethod.Put, "/settings", Json("{\"matchStrategy\": 7, \"bogus\": 1}"));

        var problem = await ProblemAsync(response);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_settings", problem.GetProperty("error").GetString());
        Assert.Equal(
            ["Shopify:Bogus", "Shopify:MatchStrategy"],
            problem.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("key").GetString()).Order(StringComparer.Ordinal));
        Assert.StartsWith("Nothing was saved.", problem.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>Reads a refusal, asserting it is <c>application/problem+json</c>.</summary>
    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json", $"{(int)response.StatusCode} {response.Content.Headers.ContentType}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private async Task<JsonElement> SettingsAsync()
    {
        using var response = await SendAsync(HttpMethod.Get, "/settings");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, HttpContent? body = null, string? key = TestSite.AdminKey)
    {
        var request = new HttpRequestMessage(method, Api + path) { Content = body };
        if (key is not null)
        {
            request.Headers.Add("X-Api-Key", key);
        }

        return Site.Http.SendAsync(request);
    }

    /// <summary>JSON sent without a Content-Length (chunked), as a client streaming its body does.</summary>
    private sealed class ChunkedJson : HttpContent
    {
        private readonly byte[] _bytes;

        public ChunkedJson(string json)
        {
            _bytes = Encoding.UTF8.GetBytes(json);
            Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(_bytes).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
