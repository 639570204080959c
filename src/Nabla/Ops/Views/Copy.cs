using Nabla.Backends.Cpu;

namespace Nabla.Ops;

/// <summary>y = a contiguous copy of x (Clone, and Contiguous on strided views) · backward: dx = dy</summary>
internal sealed class Copy : Node
{
    public static Tensor Apply(Tensor x)
    {
        var y = Elementwise.Contiguous(x);
        return Graph.Needs(x) ? Graph.Attach(y, new Copy(), x) : y;
    }

    internal override Tensor?[] Backward(Tensor dy) => [dy];
}
