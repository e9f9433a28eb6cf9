using OrchardShopify.Emulator.Customers;

namespace OrchardShopify.Emulator.Schema;

/// <summary>What an Admin API resolver can reach: the shop the request targets and the emulator's state.</summary>
public sealed record AdminContext(EmulatorState State, Shop Shop, string ApiVersion, Uri BaseUrl);
