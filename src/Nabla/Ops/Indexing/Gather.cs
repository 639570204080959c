using Nabla.Backends.Cpu;

namespace Nabla.Ops;

/// <summary>
/// y[i,j,k] = x[i, index[i,j,k], k] (for axis 1; likewise for any axis) ·
/// backward: dx = zeros of x's shape, scatter-added with dy at the same indices.
/// </summary>
internal sealed class Gather : Node
{
    private Shape _inputShape;
    private int _axis;
    private SavedTensor? _index;

    public static Tensor Apply(Tensor x, int axis, Tensor index)
    {
        axis = Shape.NormalizeAxis(axis, x.Rank, "Gather");
        CheckIndexShape("Gather", x.Shape, axis, index.Shape);
        var y = Indexing.Gather(x, axis, index, "Gather");
        return Graph.Needs(x) ? Graph.Attach(y, new Gather { _inputShape = x.Shape, _axis = axis, _index = new(index.Detach()) }, x) : y;
    }

    internal override Tensor?[] Backward(Tensor dy) =>
        [ScatterAdd.Apply(Tensor.Zeros(_inputShape.Dims), _axis, _index!.Get(this), dy)];

    protected override void ReleaseSaved() => _index?.Release();

    /// <summary>The index must have the input's rank and fit inside it on every axis except <paramref name="axis"/>.</summary>
    public static void CheckIndexShape(string op, Shape input, int axis, Shape index)
    {
        var fits = index.Rank == input.Rank;
        for (var d = 0; d < input.Rank && fits; d++) fits = d == axis || index.Dims[d] <= input.Dims[d];
        if (!fits)
        {
            throw new ArgumentException($"{op}: index of shape {index} does not fit input of shape {input} along axis {axis}; it needs rank {input.Rank} and sizes no larger than the input's on the other axes.");
        }
    }
}
