using OrchardShopify.OrchardCore.Site.Hosting;

return await SampleSite.RunAsync(args);

/// <summary>The sample site's entry point; public so that tests can start it with <c>WebApplicationFactory&lt;Program&gt;</c>.</summary>
public partial class Program;
