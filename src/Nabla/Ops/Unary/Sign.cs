using Nabla.Backends.Cpu;

namespace Nabla.Ops;

/// <summary>y = sign(x) ∈ {-1, 0, 1} · backward: dx = 0 (piecewise constant)</summary>
internal sealed class Sign : Node
{
    public static Tensor Apply(Tensor x)
    {
        var y = Elementwise.Unary<SignOperator>(x);
        return Graph.Needs(x) ? Graph.Attach(y, new Sign(), x) : y;
    }

    internal override Tensor?[] Backward(Tensor dy) => [Tensor.ZerosLike(dy)];
}
