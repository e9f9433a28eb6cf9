using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace OrchardShopify.Web.Pages;

[AllowAnonymous]
[IgnoreAntiforgeryToken]
[ResponseCache(NoStore = true, Location = ResponseCacheLocation.None)]
public sealed class ErrorModel : PageModel
{
    public string Title { get; private set; } = "Something went wrong";

    public string Message { get; private set; } = "The request could not be completed. The error has been logged.";

    public void OnGet(int? status) => Describe(status);

    public void OnPost(int? status) => Describe(status);

    private void Describe(int? status)
    {
        switch (status)
        {
            case 404:
                Title = "Not found";
                Message = "There is no page at this address.";
                break;
            case 403:
                Title = "Not allowed";
                Message = "Your account may not open this page.";
                break;
            case 400:
                Title = "Bad request";
                Message = "The request was not valid; reload the page and try again.";
                break;
        }
    }
}
