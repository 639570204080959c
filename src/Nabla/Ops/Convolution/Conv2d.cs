using Nabla.Backends.Cpu;

namespace Nabla.Ops;

/// <summary>
/// y[n, o] = b[o] + Σ_c W[o, c] ⋆ x[n, c] (cross-correlation with stride, padding, dilation, groups) ·
/// backward: dx = ConvTranspose2d(dy, W), dW = Conv2dWeightGrad(x, dy), db = Σ_{n,h,w} dy.
/// Both backward results are differentiable ops themselves, so higher derivatives work.
/// </summary>
internal sealed class Conv2d : Node
{
    private Conv2dGeometry _g;
    private SavedTensor? _x, _w;
    private bool _hasBias;

    public static Tensor Apply(Tensor x, Tensor w, Tensor? b, Conv2dGeometry g)
    {
        var needs = b is null ? Graph.Needs(x, w) : Graph.Needs(x, w, b);
        var y = ConvKernels.Convolve(x, w, b, g);
        if (!needs) return y;
        var node = new Conv2d { _g = g, _x = w.RequiresGrad ? new(x) : null, _w = x.RequiresGrad ? new(w) : null, _hasBias = b is not null };
        return b is null ? Graph.Attach(y, node, x, w) : Graph.Attach(y, node, x, w, b);
    }

    internal override Tensor?[] Backward(Tensor dy)
    {
        var dx = NeedsGrad(0) ? ConvTranspose2d.Apply(dy, _w!.Get(this), null, _g) : null;
        var dw = NeedsGrad(1) ? Conv2dWeightGrad.Apply(_x!.Get(this), dy, _g) : null;
        var db = _hasBias && NeedsGrad(2) ? dy.Sum([0, 2, 3]) : null;
        return _hasBias ? [dx, dw, db] : [dx, dw];
    }

    protected override void ReleaseSaved()
    {
        _x?.Release();
        _w?.Release();
    }
}
