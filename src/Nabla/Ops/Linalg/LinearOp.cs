using Nabla.Backends.Cpu;

namespace Nabla.Ops;

/// <summary>
/// y = x·Wᵀ + b for x [N, in], W [out, in], b [out] as one node: the bias is written into y and the product
/// accumulated on top (no separate broadcast add) · backward: dx = dy·W, dW = dyᵀ·x, db = Σ_rows dy.
/// </summary>
internal sealed class LinearOp : Node
{
    private SavedTensor? _x, _w;
    private bool _hasBias;

    public static Tensor Apply(Tensor x, Tensor w, Tensor? b)
    {
        int rows = x.Shape[0], inputs = x.Shape[1], outputs = w.Shape[0];
        var y = Tensor.Empty(Shape.Wrap([rows, outputs]));
        var yd = y.Storage.Data;
        if (b is not null)
        {
            var bias = ConvKernels.Dense(b).AsSpan(0, outputs);
            for (var r = 0; r < rows; r++) bias.CopyTo(yd.AsSpan(r * outputs, outputs));
        }
        Backends.Cpu.Gemm.Gemm.Multiply(rows, outputs, inputs, ConvKernels.Dense(x), 0, inputs, 1, ConvKernels.Dense(w), 0, 1, inputs, yd, 0, outputs, accumulate: b is not null);
        var needs = b is null ? Graph.Needs(x, w) : Graph.Needs(x, w, b);
        if (!needs) return y;
        var node = new LinearOp { _x = w.RequiresGrad ? new(x) : null, _w = x.RequiresGrad ? new(w) : null, _hasBias = b is not null };
        return b is null ? Graph.Attach(y, node, x, w) : Graph.Attach(y, node, x, w, b);
    }

    internal override Tensor?[] Backward(Tensor dy)
    {
        Tensor? dx = null, dw = null, db = null;
        if (Autograd.IsEnabled)
        {
            // Building a graph of the gradient (higher-order derivatives): the same products as tensor operations.
            if (NeedsGrad(0)) dx = dy.MatMul(_w!.Get(this));
            if (NeedsGrad(1)) dw = dy.T.MatMul(_x!.Get(this));
            if (_hasBias && NeedsGrad(2)) db = dy.Sum(0);
            return _hasBias ? [dx, dw, db] : [dx, dw];
        }
        int rows = dy.Shape[0], outputs = dy.Shape[1];
        var g = ConvKernels.Dense(dy);
        if (NeedsGrad(0))
        {
            var w = _w!.Get(this);
            var inputs = w.Shape[1];
            dx = Tensor.Empty(Shape.Wrap([rows, inputs]));
            Backends.Cpu.Gemm.Gemm.Multiply(rows, inputs, outputs, g, 0, outputs, 1, ConvKernels.Dense(w), 0, inputs, 1, dx.Storage.Data, 0, inputs, accumulate: false);
        }
        if (NeedsGrad(1))
        {
            var x = _x!.Get(this);
            var inputs = x.Shape[1];
            dw = Tensor.Empty(Shape.Wrap([outputs, inputs]));
            Backends.Cpu.Gemm.Gemm.Multiply(outputs, inputs, rows, g, 0, 1, outputs, ConvKernels.Dense(x), 0, inputs, 1, dw.Storage.Data, 0, inputs, accumulate: false);
        }
        if (_hasBias && NeedsGrad(2)) db = dy.Sum(0);
        return _hasBias ? [dx, dw, db] : [dx, dw];
    }

    protected override void ReleaseSaved()
    {
        _x?.Release();
        _w?.Release();
    }
}
