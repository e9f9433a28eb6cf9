using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using OrchardShopify.AspNetCore.Customers;
using OrchardShopify.AspNetCore.DependencyInjection;

namespace OrchardShopify.AspNetCore.Tests.Customers;

public sealed class CustomerViewCacheTests
{
    [Fact]
    public async Task A_customers_change_retires_every_part_cached_for_them_and_no_other_customers()
    {
        using var memory = new MemoryCache(new MemoryCacheOptions());
        var cache = new CustomerViewCache(memory, Options(TimeSpan.FromMinutes(5)));
        var loads = 0;
        Task<string> Load(CancellationToken _) => Task.FromResult($"load {++loads}");

        Assert.Equal("load 1", await cache.GetOrLoadAsync("uk", 1, "view", Load, CancellationToken.None));
        Assert.Equal("load 2", await cache.GetOrLoadAsync("uk", 1, "orders:open:1", Load, CancellationToken.None));
        Assert.Equal("load 3", await cache.GetOrLoadAsync("uk", 2, "view", Load, CancellationToken.None));
        Assert.Equal("load 1", await cache.GetOrLoadAsync("UK", 1, "view", Load, CancellationToken.None));

        cache.Invalidate("uk", 1);

        Assert.Equal("load 4", await cache.GetOrLoadAsync("uk", 1, "view", Load, CancellationToken.None));
        Assert.Equal("load 5", await cache.GetOrLoadAsync("uk", 1, "orders:open:1", Load, CancellationToken.None));
        Assert.Equal("load 3", await cache.GetOrLoadAsync("uk", 2, "view", Load, CancellationToken.None));
        Assert.Equal("load 4", await cache.GetOrLoadAsync("uk", 1, "view", Load, CancellationToken.None));
    }

    [Fact]
    public async Task A_host_cache_with_a_size_limit_holds_the_customers_parts_and_a_change_retires_them_even_when_it_is_full()
    {
        using var memory = new MemoryCache(new MemoryCacheOptions { SizeLimit = 2 });
        using var cache = new CustomerViewCache(memory, Options(TimeSpan.FromMinutes(5)));
        var loads = 0;
        Task<string> Load(CancellationToken _) => Task.FromResult($"load {++loads}");

        Assert.Equal("load 1", await cache.GetOrLoadAsync("uk", 1, "view", Load, CancellationToken.None));
        Assert.Equal("load 2", await cache.GetOrLoadAsync("uk", 2, "view", Load, CancellationToken.None));
        Assert.Equal("load 1", await cache.GetOrLoadAsync("uk", 1, "view", Load, CancellationToken.None));

        // The host's cache is full: the change must still retire customer 1's view.
        cache.Invalidate("uk", 1);

        Assert.Equal("load 3", await cache.GetOrLoadAsync("uk", 1, "view", Load, CancellationToken.None));
        Assert.Equal("load 2", await cache.GetOrLoadAsync("uk", 2, "view", Load, CancellationToken.None));
    }

    [Fact]
    public async Task Changes_of_many_customers_are_forgotten_once_nothing_cached_before_them_can_remain()
    {
        using var memory = new MemoryCache(new MemoryCacheOptions());
        var duration = TimeSpan.FromMilliseconds(200);
        using var cache = new CustomerViewCache(memory, Options(duration));

        for (var customer = 1; customer <= 5_000; customer++)
        {
            cache.Invalidate("uk", customer);
        }

        Assert.Equal(5_000, cache.CountGenerations());
        await Task.Delay(CustomerViewCache.GenerationLifetime(duration) + TimeSpan.FromMilliseconds(100));

        // Expired generations go; a generation is never removed to make room.
        Assert.Equal(0, cache.CountGenerations());
        Assert.Equal(0, memory.Count);
    }

    [Fact]
    public async Task A_read_that_was_loading_when_the_customer_changed_is_not_served_after_the_change()
    {
        using var memory = new MemoryCache(new MemoryCacheOptions());
        var cache = new CustomerViewCache(memory, Options(TimeSpan.FromMinutes(5)));
        var release = new TaskCompletionSource();

        var slow = cache.GetOrLoadAsync("uk", 7, "view", async _ =>
        {
            await release.Task;
            return "before the change";
        }, CancellationToken.None);
        cache.Invalidate("uk", 7);
        release.SetResult();
        Assert.Equal("before the change", await slow);

        Assert.Equal("after the change", await cache.GetOrLoadAsync("uk", 7, "view", _ => Task.FromResult("after the change"), CancellationToken.None));
    }

    [Fact]
    public async Task Generations_are_not_removed_when_the_host_compacts_its_cache()
    {
        using var memory = new MemoryCache(new MemoryCacheOptions());
        using var cache = new CustomerViewCache(memory, Options(TimeSpan.FromMinutes(5)));
        var loads = 0;
        Task<string> Load(CancellationToken _) => Task.FromResult($"load {++loads}");
        cache.Invalidate("uk", 9);
        Assert.Equal("load 1", await cache.GetOrLoadAsync("uk", 9, "view", Load, CancellationToken.None));

        memory.Compact(1.0);

        Assert.Equal(1, cache.CountGenerations());
        Assert.Equal("load 2", await cache.GetOrLoadAsync("uk", 9, "view", Load, CancellationToken.None));
    }

    private static IOptionsMonitor<ShopifyHostOptions> Options(TimeSpan duration)
        => new StaticOptions(new ShopifyHostOptions { CustomerCacheDuration = duration });

    private sealed class StaticOptions(ShopifyHostOptions value) : IOptionsMonitor<ShopifyHostOptions>
    {
        public ShopifyHostOptions CurrentValue => value;

        public ShopifyHostOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<ShopifyHostOptions, string?> listener) => null;
    }
}
