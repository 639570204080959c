using Nabla.Backends.Cpu;

namespace Nabla.Ops;

/// <summary>
/// y[n, c, i, j] = mean of window (i, j) of x[n, c] (the divisor counts padding or not) ·
/// backward: dx = each dy spread evenly over its window (<see cref="AvgPool2dAdjoint"/>).
/// </summary>
internal sealed class AvgPool2d : Node
{
    private Pool2dGeometry _g;
    private bool _countIncludePad;

    public static Tensor Apply(Tensor x, Pool2dGeometry g, bool countIncludePad)
    {
        var y = Tensor.Empty(Shape.Wrap([g.Batch, g.Channels, g.OutHeight, g.OutWidth]));
        Pooling.AvgForward(ConvKernels.Dense(x), y.Storage.Data, g, countIncludePad);
        return Graph.Needs(x) ? Graph.Attach(y, new AvgPool2d { _g = g, _countIncludePad = countIncludePad }, x) : y;
    }

    internal override Tensor?[] Backward(Tensor dy) => [AvgPool2dAdjoint.Apply(dy, _g, _countIncludePad)];
}

/// <summary>dx = the adjoint of average pooling applied to dy · backward: d(dy) = AvgPool2d(ddx).</summary>
internal sealed class AvgPool2dAdjoint : Node
{
    private Pool2dGeometry _g;
    private bool _countIncludePad;

    public static Tensor Apply(Tensor dy, Pool2dGeometry g, bool countIncludePad)
    {
        var dx = Tensor.Empty(Shape.Wrap([g.Batch, g.Channels, g.Height, g.Width]));
        Pooling.AvgBackward(ConvKernels.Dense(dy), dx.Storage.Data, g, countIncludePad);
        return Graph.Needs(dy) ? Graph.Attach(dx, new AvgPool2dAdjoint { _g = g, _countIncludePad = countIncludePad }, dy) : dx;
    }

    internal override Tensor?[] Backward(Tensor ddx) => [AvgPool2d.Apply(ddx, _g, _countIncludePad)];
}
