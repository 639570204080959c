using Nabla.Backends.Cpu;

namespace Nabla.Ops;

/// <summary>y = [a op b] as 1/0 (eq, ne, lt, le, gt, ge) · not differentiable: the result never requires grad.</summary>
internal static class Compare
{
    public static Tensor Apply<TCmp>(Tensor a, Tensor b, string op) where TCmp : IComparison
    {
        if (a.Shape != b.Shape)
        {
            var shape = Shape.Broadcast(a.Shape, b.Shape, op);
            a = a.ExpandView(shape);
            b = b.ExpandView(shape);
        }
        return Elementwise.Binary<CompareOperator<TCmp>>(a, b);
    }
}
