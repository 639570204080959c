using Nabla.Backends.Cpu;

namespace Nabla.Ops;

/// <summary>
/// y = Π x over the given axes · backward: dx_i = dy · Π_{j≠i} x_j, computed as y / x_i when no
/// factor is zero, and as the product of the other factors where exactly one is (else 0).
/// </summary>
internal sealed class Prod : Node
{
    private SavedTensor? _x, _y;
    private int[] _keptShape = [];
    private int[] _axes = [];

    public static Tensor Apply(Tensor x, int[]? axes, bool keepDims)
    {
        var mask = Axes.Mask(x.Rank, axes, "Prod");
        var kept = Axes.KeptShape(x.Shape, mask);
        var y = Reductions.Reduce<ProdReduction>(x, mask);
        if (keepDims) y = y.AsView(Shape.Wrap(kept), Shape.ContiguousStrides(kept), 0);
        if (!Graph.Needs(x)) return y;
        var reduced = new List<int>();
        for (var d = 0; d < mask.Length; d++)
        {
            if (mask[d]) reduced.Add(d);
        }
        return Graph.Attach(y, new Prod { _x = new(x), _y = new(y), _keptShape = kept, _axes = [.. reduced] }, x);
    }

    internal override Tensor?[] Backward(Tensor dy)
    {
        var x = _x!.Get(this);
        var y = _y!.Get(this).Reshape(_keptShape);
        dy = dy.Reshape(_keptShape);
        var isZero = x.Eq(0f);
        var zeros = isZero.Sum(_axes, keepDims: true);
        var othersWhenOneZero = Tensor.Where(isZero, Tensor.Scalar(1f), x).Prod(_axes, keepDims: true) * zeros.Eq(1f);
        var safeX = Tensor.Where(isZero, Tensor.Scalar(1f), x);
        var grad = Tensor.Where(isZero, othersWhenOneZero, y / safeX);
        return [dy * grad];
    }

    protected override void ReleaseSaved()
    {
        _x?.Release();
        _y?.Release();
    }
}
