using Nabla.Backends.Cpu;

namespace Nabla.Ops;

/// <summary>y = a - b · backward: da = dy, db = -dy</summary>
internal sealed class Sub : Node
{
    public static Tensor Apply(Tensor a, Tensor b)
    {
        (a, b) = Broadcasting.Align(a, b, "Sub");
        var y = Elementwise.Binary<SubOperator>(a, b);
        return Graph.Needs(a, b) ? Graph.Attach(y, new Sub(), a, b) : y;
    }

    internal override Tensor?[] Backward(Tensor dy) => [dy, NeedsGrad(1) ? -dy : null];
}
