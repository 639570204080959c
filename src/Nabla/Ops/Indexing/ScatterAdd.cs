using Nabla.Backends.Cpu;

namespace Nabla.Ops;

/// <summary>
/// y = x with src added at the indexed positions: y[i, index[i,j,k], k] += src[i,j,k] (axis 1) ·
/// backward: dx = dy, dsrc = dy gathered at the same indices.
/// </summary>
internal sealed class ScatterAdd : Node
{
    private int _axis;
    private SavedTensor? _index;

    public static Tensor Apply(Tensor x, int axis, Tensor index, Tensor src)
    {
        axis = Shape.NormalizeAxis(axis, x.Rank, "ScatterAdd");
        Gather.CheckIndexShape("ScatterAdd", x.Shape, axis, index.Shape);
        if (src.Shape != index.Shape)
        {
            throw new ArgumentException($"ScatterAdd: source of shape {src.Shape} must have the index's shape {index.Shape}.");
        }
        var y = Elementwise.Contiguous(x);
        Indexing.ScatterAddInto(y, axis, index, src, "ScatterAdd");
        if (!Graph.Needs(x, src)) return y;
        return Graph.Attach(y, new ScatterAdd { _axis = axis, _index = new(index.Detach()) }, x, src);
    }

    internal override Tensor?[] Backward(Tensor dy) =>
        [dy, NeedsGrad(1) ? dy.Gather(_axis, _index!.Get(this)) : null];

    protected override void ReleaseSaved() => _index?.Release();
}
