using System.Net;
using AngleSharp;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using AngleSharp.Io;
using NetHttpMethod = System.Net.Http.HttpMethod;

namespace OrchardShopify.OrchardCore.Site.Tests.Support;

/// <summary>A page as the browser got it: the final address, status and parsed document.</summary>
public sealed record SitePage(Uri Address, HttpStatusCode Status, IDocument Document)
{
    public string Html => Document.DocumentElement.OuterHtml;

    public IHtmlFormElement Form(string selector) =>
        Document.QuerySelector(selector) as IHtmlFormElement ?? throw new InvalidOperationException($"No form '{selector}' on {Address}.");

    /// <summary>The form holding an element (an input or button) matching <paramref name="selector"/>.</summary>
    public IHtmlFormElement FormOf(string selector) =>
        (Document.QuerySelector(selector) ?? throw new InvalidOperationException($"Nothing matches '{selector}' on {Address}.")).Closest("form") as IHtmlFormElement
        ?? throw new InvalidOperationException($"'{selector}' is not inside a form on {Address}.");
}

/// <summary>
/// A browser over the test server: keeps cookies (the authentication and antiforgery cookies), follows redirects of
/// GETs and of form posts the way a browser does, and submits forms with every field the form holds (hidden
/// antiforgery token included) encoded by the HTML form submission algorithm.
/// </summary>
public sealed class SiteBrowser : IDisposable
{
    private static readonly Uri Origin = new("http://localhost/");
    private readonly HttpClient _http;
    private readonly IBrowsingContext _context = BrowsingContext.New(Configuration.Default);

    internal SiteBrowser(HttpClient http)
    {
        _http = http;
    }

    public HttpClient Http => _http;

    public Task<SitePage> GetAsync(string path) => SendAsync(new HttpRequestMessage(NetHttpMethod.Get, new Uri(Origin, path)));

    /// <summary>Sets fields of <paramref name="form"/> (text, hidden, password, select by value; checkboxes by "true"/"false"), then submits it.</summary>
    public Task<SitePage> SubmitAsync(IHtmlFormElement form, IReadOnlyDictionary<string, string>? values = null, IHtmlElement? submitter = null)
    {
        ArgumentNullException.ThrowIfNull(form);
        foreach (var (name, value) in values ?? new Dictionary<string, string>())
        {
            var fields = form.Elements.Where(e => e.GetAttribute("name") == name).ToList();
            if (fields.Count == 0)
            {
                throw new InvalidOperationException($"The form has no field '{name}'.");
            }

            switch (fields[0])
            {
                case IHtmlInputElement { Type: "checkbox" } checkbox:
                    checkbox.IsChecked = bool.Parse(value);
                    break;
                case IHtmlInputElement input:
                    input.Value = value;
                    break;
                case IHtmlSelectElement select:
                    select.Value = value;
                    break;
                case IHtmlTextAreaElement area:
                    area.Value = value;
                    break;
                default:
                    throw new InvalidOperationException($"Field '{name}' cannot be set.");
            }
        }

        // A submit input without a value sends its default label, as browsers do (Orchard Core's bulk actions need it).
        if (submitter is IHtmlInputElement { Type: "submit" } pressed && !pressed.HasAttribute("value"))
        {
            pressed.Value = "Submit";
        }

        var submission = form.GetSubmission(submitter!) ?? throw new InvalidOperationException("The form cannot be submitted.");
        // A submit button's own formaction wins over the form's action, as in a browser.
        var target = submitter?.GetAttribute("formaction") is { Length: > 0 } formAction
            ? new Uri(new Uri(form.Owner!.Url), formAction)
            : new Uri(submission.Target.Href);
        var request = new HttpRequestMessage(submission.Method == AngleSharp.Io.HttpMethod.Post ? NetHttpMethod.Post : NetHttpMethod.Get, target);
        if (submission.Method == AngleSharp.Io.HttpMethod.Post)
        {
            // The body as the form encodes it (url-encoded, or multipart with its boundary for enctype="multipart/form-data").
            var body = new MemoryStream();
            submission.Body.CopyTo(body);
            body.Position = 0;
            request.Content = new StreamContent(body);
            request.Content.Headers.TryAddWithoutValidation("Content-Type", submission.MimeType ?? "application/x-www-form-urlencoded");

            // A browser names the page's origin on every form post.
            request.Headers.TryAddWithoutValidation("Origin", new Uri(form.Owner!.Url).GetLeftPart(UriPartial.Authority));
        }

        return SendAsync(request);
    }

    /// <summary>Signs in through the login form; fails the test unless the site accepts the credentials.</summary>
    public async Task<SitePage> SignInAsync(string userName, string password)
    {
        var login = await GetAsync("/Login");
        Assert.Equal(HttpStatusCode.OK, login.Status);
        var form = login.FormOf("input[type=password]");
        var userField = form.Elements.OfType<IHtmlInputElement>().First(i => i.Name is { } n && n.EndsWith("UserName", StringComparison.OrdinalIgnoreCase));
        var passwordField = form.Elements.OfType<IHtmlInputElement>().First(i => i.Type == "password");
        var page = await SubmitAsync(form, new Dictionary<string, string> { [userField.Name!] = userName, [passwordField.Name!] = password });
        Assert.DoesNotContain("/Login", page.Address.AbsolutePath, StringComparison.OrdinalIgnoreCase);
        return page;
    }

    private async Task<SitePage> SendAsync(HttpRequestMessage request)
    {
        var current = request;
        for (var hops = 0; ; hops++)
        {
            var address = current.RequestUri!;
            using var response = await _http.SendAsync(current);
            current.Dispose();
            if (response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Found or HttpStatusCode.SeeOther or HttpStatusCode.MovedPermanently
                && response.Headers.Location is { } location && hops < 10)
            {
                // A browser follows a redirect of a form post with a GET.
                current = new HttpRequestMessage(NetHttpMethod.Get, new Uri(address, location));
                continue;
            }

            var html = await response.Content.ReadAsStringAsync();
            var document = await _context.OpenAsync(r => r.Content(html).Address(address.ToString()));
            return new SitePage(address, response.StatusCode, document);
        }
    }

    public void Dispose()
    {
        _http.Dispose();
        _context.Dispose();
    }
}
