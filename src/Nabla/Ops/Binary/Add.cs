using Nabla.Backends.Cpu;

namespace Nabla.Ops;

/// <summary>y = a + b · backward: da = dy, db = dy</summary>
internal sealed class Add : Node
{
    public static Tensor Apply(Tensor a, Tensor b)
    {
        (a, b) = Broadcasting.Align(a, b, "Add");
        var y = Elementwise.Binary<AddOperator>(a, b);
        return Graph.Needs(a, b) ? Graph.Attach(y, new Add(), a, b) : y;
    }

    internal override Tensor?[] Backward(Tensor dy) => [dy, dy];
}
