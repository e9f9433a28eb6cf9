using OrchardShopify.Web.Hosting;

return await SiteApp.RunAsync(args);
