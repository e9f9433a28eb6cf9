namespace OrchardShopify.Liquid.Tests.Support;

/// <summary>The request's services with one of them replaced, as a host registering its own would have them.</summary>
internal sealed class OverridingServices(IServiceProvider inner, Type type, object instance) : IServiceProvider
{
    public object? GetService(Type serviceType) => serviceType == type ? instance : inner.GetService(serviceType);
}
