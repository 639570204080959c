using Nabla.Backends.Cpu;

namespace Nabla.Ops;

/// <summary>y = Σ x over the given axes · backward: dx = dy broadcast back over the reduced axes.</summary>
internal sealed class Sum : Node
{
    private Shape _inputShape;
    private int[] _keptShape = [];

    public static Tensor Apply(Tensor x, int[]? axes, bool keepDims)
    {
        var mask = Axes.Mask(x.Rank, axes, "Sum");
        var kept = Axes.KeptShape(x.Shape, mask);
        var y = Reductions.Reduce<SumReduction>(x, mask);
        if (keepDims) y = y.AsView(Shape.Wrap(kept), Shape.ContiguousStrides(kept), 0);
        return Graph.Needs(x) ? Graph.Attach(y, new Sum { _inputShape = x.Shape, _keptShape = kept }, x) : y;
    }

    internal override Tensor?[] Backward(Tensor dy) => [dy.Reshape(_keptShape).Expand(_inputShape.Dims)];
}
