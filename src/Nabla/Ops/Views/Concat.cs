using Nabla.Backends.Cpu;

namespace Nabla.Ops;

/// <summary>y = the tensors joined along one axis · backward: each input gets its slice of dy.</summary>
internal sealed class Concat : Node
{
    private int _axis;
    private int[] _sizes = [];

    public static Tensor Apply(IReadOnlyList<Tensor> tensors, int axis)
    {
        if (tensors.Count == 0) throw new ArgumentException("Concat: needs at least one tensor.");
        var first = tensors[0];
        if (first.Rank == 0) throw new ArgumentException("Concat: cannot join scalars (rank 0); use Stack.");
        axis = Shape.NormalizeAxis(axis, first.Rank, "Concat");
        var sizes = new int[tensors.Count];
        var total = 0;
        for (var i = 0; i < tensors.Count; i++)
        {
            var t = tensors[i];
            var compatible = t.Rank == first.Rank;
            for (var d = 0; d < first.Rank && compatible; d++)
            {
                compatible = d == axis || t.Shape.Dims[d] == first.Shape.Dims[d];
            }
            if (!compatible)
            {
                throw new ArgumentException($"Concat: tensor {i} has shape {t.Shape} but tensor 0 has {first.Shape}; all sizes except axis {axis} must match.");
            }
            sizes[i] = t.Shape.Dims[axis];
            total += sizes[i];
        }
        var dims = (int[])first.Shape.Dims.Clone();
        dims[axis] = total;
        var y = Tensor.Empty(Shape.Wrap(dims));
        var start = 0;
        for (var i = 0; i < tensors.Count; i++)
        {
            Elementwise.CopyInto(tensors[i], y.SliceView(axis, start, sizes[i]));
            start += sizes[i];
        }
        return Graph.Needs(tensors) ? Graph.Attach(y, new Concat { _axis = axis, _sizes = sizes }, [.. tensors]) : y;
    }

    internal override Tensor?[] Backward(Tensor dy)
    {
        var grads = new Tensor?[_sizes.Length];
        var start = 0;
        for (var i = 0; i < _sizes.Length; i++)
        {
            if (NeedsGrad(i)) grads[i] = dy.Narrow(_axis, start, _sizes[i]);
            start += _sizes[i];
        }
        return grads;
    }
}
