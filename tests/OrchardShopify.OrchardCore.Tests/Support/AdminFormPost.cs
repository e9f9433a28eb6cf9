using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Controllers;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Primitives;
using OrchardCore.DisplayManagement.ModelBinding;

namespace OrchardShopify.OrchardCore.Tests.Support;

/// <summary>
/// One admin form post as a browser sends it (<c>application/x-www-form-urlencoded</c>, only the given fields),
/// bound by ASP.NET Core MVC's own model binding through Orchard Core's <see cref="ControllerModelUpdater"/>, the
/// updater Orchard Core's admin controllers hand to display drivers.
/// </summary>
internal sealed class AdminFormPost : IDisposable
{
    private readonly ServiceProvider _mvc;

    public AdminFormPost(IDictionary<string, string> fields)
    {
        _mvc = new ServiceCollection().AddLogging().AddMvcCore().Services.BuildServiceProvider();
        var http = new DefaultHttpContext { RequestServices = _mvc };
        http.Request.Method = HttpMethods.Post;
        http.Request.ContentType = "application/x-www-form-urlencoded";
        http.Request.Form = new FormCollection(fields.ToDictionary(f => f.Key, f => new StringValues(f.Value)));
        var controller = new PostedController
        {
            ControllerContext = new ControllerContext(new ActionContext(http, new RouteData(), new ControllerActionDescriptor()))
            {
                ValueProviderFactories = [new FormValueProviderFactory()],
            },
        };

        HttpContext = http;
        Updater = new ControllerModelUpdater(controller);
        Accessor = new HttpContextAccessor { HttpContext = http };
    }

    public HttpContext HttpContext { get; }

    public IUpdateModel Updater { get; }

    public IHttpContextAccessor Accessor { get; }

    public void Dispose() => _mvc.Dispose();

    private sealed class PostedController : Controller;
}
