using Nabla.Backends.Cpu;

namespace Nabla.Ops;

/// <summary>
/// y = x surrounded by a constant: (before, after) elements on each axis ·
/// backward: dx = dy with the padding cut away.
/// </summary>
internal sealed class Pad : Node
{
    private (int Before, int After)[] _widths = [];

    public static Tensor Apply(Tensor x, (int Before, int After)[] widths, float value)
    {
        if (widths.Length != x.Rank)
        {
            throw new ArgumentException($"Pad: tensor of shape {x.Shape} has {x.Rank} axes but {widths.Length} (before, after) pairs were given; give one per axis.");
        }
        var dims = (int[])x.Shape.Dims.Clone();
        for (var d = 0; d < dims.Length; d++)
        {
            var (before, after) = widths[d];
            if (before < 0 || after < 0) throw new ArgumentException($"Pad: widths must be non-negative; axis {d} has ({before}, {after}).");
            dims[d] += before + after;
        }
        var y = Tensor.Empty(Shape.Wrap(dims));
        Elementwise.Fill(y, value);
        var interior = y;
        for (var d = 0; d < dims.Length; d++) interior = interior.SliceView(d, widths[d].Before, x.Shape.Dims[d]);
        Elementwise.CopyInto(x, interior);
        return Graph.Needs(x) ? Graph.Attach(y, new Pad { _widths = widths }, x) : y;
    }

    internal override Tensor?[] Backward(Tensor dy)
    {
        var dx = dy;
        for (var d = 0; d < _widths.Length; d++)
        {
            dx = dx.Narrow(d, _widths[d].Before, dy.Shape.Dims[d] - _widths[d].Before - _widths[d].After);
        }
        return [dx];
    }
}
