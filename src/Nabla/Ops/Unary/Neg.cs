using Nabla.Backends.Cpu;

namespace Nabla.Ops;

/// <summary>y = -x · backward: dx = -dy</summary>
internal sealed class Neg : Node
{
    public static Tensor Apply(Tensor x)
    {
        var y = Elementwise.Unary<NegOperator>(x);
        return Graph.Needs(x) ? Graph.Attach(y, new Neg(), x) : y;
    }

    internal override Tensor?[] Backward(Tensor dy) => [-dy];
}
