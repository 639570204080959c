using System.Buffers;
using Nabla.Backends.Cpu;

namespace Nabla.Ops;

/// <summary>
/// y[n, c, i, j] = max over window (i, j) of x[n, c] (padding never wins) ·
/// backward: dx = dy routed to each window's arg-max (<see cref="MaxPool2dAdjoint"/>).
/// </summary>
internal sealed class MaxPool2d : Node
{
    private Pool2dGeometry _g;
    private int[]? _argmax; // rented; each maximum's index within its plane

    public static Tensor Apply(Tensor x, Pool2dGeometry g)
    {
        var y = Tensor.Empty(Shape.Wrap([g.Batch, g.Channels, g.OutHeight, g.OutWidth]));
        var argmax = ArrayPool<int>.Shared.Rent(y.Count);
        Pooling.MaxForward(ConvKernels.Dense(x), y.Storage.Data, argmax, g);
        if (!Graph.Needs(x))
        {
            ArrayPool<int>.Shared.Return(argmax);
            return y;
        }
        return Graph.Attach(y, new MaxPool2d { _g = g, _argmax = argmax }, x);
    }

    internal override Tensor?[] Backward(Tensor dy) =>
        [MaxPool2dAdjoint.Apply(dy, _argmax ?? throw new InvalidOperationException("MaxPool2d: its saved arg-max was already released."), _g)];

    protected override void ReleaseSaved()
    {
        if (_argmax is { } argmax) ArrayPool<int>.Shared.Return(argmax);
        _argmax = null;
    }
}

/// <summary>
/// dx = zeros with dx[argmax[o]] += dy[o] per plane · backward (it is linear in dy): d(dy)[o] = ddx[argmax[o]],
/// a Gather, so double backward works.
/// </summary>
internal sealed class MaxPool2dAdjoint : Node
{
    private Pool2dGeometry _g;
    private Tensor? _index; // float indices [planes, Ho·Wo], made only when this node is recorded

    public static Tensor Apply(Tensor dy, int[] argmax, Pool2dGeometry g)
    {
        var dx = Tensor.Empty(Shape.Wrap([g.Batch, g.Channels, g.Height, g.Width]));
        Pooling.MaxBackward(ConvKernels.Dense(dy), argmax, dx.Storage.Data, g);
        if (!Graph.Needs(dy)) return dx;
        var outputs = g.OutHeight * g.OutWidth;
        var index = new float[g.Batch * g.Channels * outputs];
        for (var i = 0; i < index.Length; i++) index[i] = argmax[i];
        return Graph.Attach(dx, new MaxPool2dAdjoint { _g = g, _index = Tensor.FromArray(index, g.Batch * g.Channels, outputs) }, dy);
    }

    internal override Tensor?[] Backward(Tensor ddx) =>
        [ddx.Reshape(_g.Batch * _g.Channels, _g.Height * _g.Width).Gather(1, _index!).Reshape(_g.Batch, _g.Channels, _g.OutHeight, _g.OutWidth)];
}
