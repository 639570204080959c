namespace Nabla.Ops;

/// <summary>
/// y = x repeated along axes of size 1 (and new leading axes) as a zero-stride view, no copy ·
/// backward: dx = dy summed over the expanded axes (back to x's shape).
/// </summary>
internal sealed class Expand : Node
{
    private Shape _inputShape;

    public static Tensor Apply(Tensor x, Shape shape)
    {
        if (x.Shape == shape) return x;
        var y = x.ExpandView(shape);
        return Graph.Needs(x) ? Graph.Attach(y, new Expand { _inputShape = x.Shape }, x) : y;
    }

    internal override Tensor?[] Backward(Tensor dy) => [SumTo(dy, _inputShape)];

    /// <summary>Sums a gradient of a broadcast shape back to <paramref name="shape"/>.</summary>
    public static Tensor SumTo(Tensor g, Shape shape)
    {
        if (g.Shape == shape) return g;
        var lead = g.Rank - shape.Rank;
        var axes = new List<int>();
        for (var d = 0; d < g.Rank; d++)
        {
            if (d < lead || (shape.Dims[d - lead] == 1 && g.Shape.Dims[d] != 1)) axes.Add(d);
        }
        return g.Sum([.. axes], keepDims: true).Reshape(shape.Dims);
    }
}
