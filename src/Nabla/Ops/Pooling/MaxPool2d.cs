using Nabla.Backends.Cpu;

namespace Nabla.Ops;

/// <summary>
/// y[n, c, i, j] = max over window (i, j) of x[n, c] (padding never wins) ·
/// backward: dx = dy scattered to each window's arg-max (a ScatterAdd, so differentiable again).
/// </summary>
internal sealed class MaxPool2d : Node
{
    private Pool2dGeometry _g;
    private SavedTensor? _argmax;

    public static Tensor Apply(Tensor x, Pool2dGeometry g)
    {
        var y = Tensor.Empty(Shape.Wrap([g.Batch, g.Channels, g.OutHeight, g.OutWidth]));
        var argmax = System.Buffers.ArrayPool<int>.Shared.Rent(y.Count);
        try
        {
            Pooling.MaxForward(ConvKernels.Dense(x), y.Storage.Data, argmax, g);
            if (!Graph.Needs(x)) return y;
            // Indices within each plane, as a float index tensor [N·C, Ho·Wo] for ScatterAdd.
            var index = Tensor.Empty(Shape.Wrap([g.Batch * g.Channels, g.OutHeight * g.OutWidth]));
            var dst = index.Storage.Data;
            for (var i = 0; i < y.Count; i++) dst[i] = argmax[i];
            return Graph.Attach(y, new MaxPool2d { _g = g, _argmax = new(index) }, x);
        }
        finally
        {
            System.Buffers.ArrayPool<int>.Shared.Return(argmax);
        }
    }

    internal override Tensor?[] Backward(Tensor dy)
    {
        var planes = _g.Batch * _g.Channels;
        var dx = Tensor.Zeros(planes, _g.Height * _g.Width)
            .ScatterAdd(1, _argmax!.Get(this), dy.Reshape(planes, _g.OutHeight * _g.OutWidth));
        return [dx.Reshape(_g.Batch, _g.Channels, _g.Height, _g.Width)];
    }

    protected override void ReleaseSaved() => _argmax?.Release();
}
