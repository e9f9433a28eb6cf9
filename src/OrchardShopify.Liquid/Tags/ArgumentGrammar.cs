using Fluid;
using Fluid.Ast;
using Parlot.Fluent;

namespace OrchardShopify.Liquid.Tags;

/// <summary>
/// Fluid's own <c>name: value</c> argument list (the one Orchard Core's tags use), taken from a parser of our own
/// so the tags work on any FluidParser, not only on parsers that expose it.
/// </summary>
internal sealed class ArgumentGrammar : FluidParser
{
    public static readonly Parser<IReadOnlyList<FilterArgument>> Arguments = new ArgumentGrammar().NamedArguments;

    private ArgumentGrammar()
    {
    }

    private Parser<IReadOnlyList<FilterArgument>> NamedArguments => ArgumentsList.Then<IReadOnlyList<FilterArgument>>(static list => list);
}
