using OrchardShopify.Core.ShopifyApi;

namespace OrchardShopify.ShopifyApi.Tests;

public sealed class OrderStatusFilterTests
{
    [Theory]
    [InlineData("open", OrderStatusFilter.Open)]
    [InlineData("CLOSED", OrderStatusFilter.Closed)]
    [InlineData(" Cancelled ", OrderStatusFilter.Cancelled)]
    [InlineData("any", OrderStatusFilter.Any)]
    [InlineData("", OrderStatusFilter.Any)]
    [InlineData(null, OrderStatusFilter.Any)]
    public void Status_names_are_read_case_insensitively_and_empty_means_any(string? name, OrderStatusFilter expected)
    {
        Assert.True(OrderStatusFilters.TryParse(name, out var status));
        Assert.Equal(expected, status);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("Open,Closed")]
    [InlineData("pending")]
    [InlineData("not_closed")]
    public void Numbers_combinations_and_unknown_names_are_refused(string name)
    {
        Assert.False(OrderStatusFilters.TryParse(name, out _));
    }
}
