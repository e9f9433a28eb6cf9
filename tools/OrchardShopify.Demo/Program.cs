using OrchardShopify.Demo;

using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(2));
await DemoScenario.RunAsync(Console.Out, stop.Token);
return 0;
