using Nabla.Backends.Cpu;

namespace Nabla.Ops;

/// <summary>
/// y = max (or min) of x over the given axes · backward: dy shared evenly among the elements that
/// attain the extreme (dx = dy · [x = y] / count).
/// </summary>
internal sealed class Extremum : Node
{
    private SavedTensor? _x, _y;
    private int[] _keptShape = [];
    private int[] _axes = [];
    private bool _isMin;

    public override string Name => _isMin ? "Min" : "Max";

    public static Tensor Apply(Tensor x, int[]? axes, bool keepDims, bool min)
    {
        var op = min ? "Min" : "Max";
        var mask = Axes.Mask(x.Rank, axes, op);
        if (Axes.ReducedCount(x.Shape, mask) == 0)
        {
            throw new ArgumentException($"{op}: cannot reduce tensor of shape {x.Shape} over an empty axis; the result would have no value.");
        }
        var kept = Axes.KeptShape(x.Shape, mask);
        var y = min ? Reductions.Reduce<MinReduction>(x, mask) : Reductions.Reduce<MaxReduction>(x, mask);
        if (keepDims) y = y.AsView(Shape.Wrap(kept), Shape.ContiguousStrides(kept), 0);
        if (!Graph.Needs(x)) return y;
        var reduced = new List<int>();
        for (var d = 0; d < mask.Length; d++)
        {
            if (mask[d]) reduced.Add(d);
        }
        return Graph.Attach(y, new Extremum { _x = new(x), _y = new(y), _keptShape = kept, _axes = [.. reduced], _isMin = min }, x);
    }

    internal override Tensor?[] Backward(Tensor dy)
    {
        var x = _x!.Get(this);
        var hits = x.Eq(_y!.Get(this).Reshape(_keptShape));
        var count = hits.Sum(_axes, keepDims: true);
        return [dy.Reshape(_keptShape) * hits / count];
    }

    protected override void ReleaseSaved()
    {
        _x?.Release();
        _y?.Release();
    }
}
