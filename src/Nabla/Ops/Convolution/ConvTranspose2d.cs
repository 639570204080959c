using Nabla.Backends.Cpu;

namespace Nabla.Ops;

/// <summary>
/// y = Conv2dᵀ(x, W) + b: the adjoint of the convolution with geometry g (which maps y's shape to x's),
/// so y [N, C, H, W] for x [N, O, Ho, Wo] and W [O, C/groups, kh, kw] ·
/// backward: dx = Conv2d(dy, W), dW = Conv2dWeightGrad(dy, x), db = Σ_{n,h,w} dy.
/// </summary>
internal sealed class ConvTranspose2d : Node
{
    private Conv2dGeometry _g;
    private SavedTensor? _x, _w;
    private bool _hasBias;

    public static Tensor Apply(Tensor x, Tensor w, Tensor? b, Conv2dGeometry g)
    {
        var y = ConvKernels.ConvolveTransposed(x, w, g);
        if (b is not null) y = WithBias(y, b);
        var needs = b is null ? Graph.Needs(x, w) : Graph.Needs(x, w, b);
        if (!needs) return y;
        var node = new ConvTranspose2d { _g = g, _x = w.RequiresGrad ? new(x) : null, _w = x.RequiresGrad ? new(w) : null, _hasBias = b is not null };
        return b is null ? Graph.Attach(y, node, x, w) : Graph.Attach(y, node, x, w, b);
    }

    private static Tensor WithBias(Tensor y, Tensor b)
    {
        using (Autograd.NoGrad()) return y + b.Detach().Reshape(1, b.Count, 1, 1);
    }

    internal override Tensor?[] Backward(Tensor dy)
    {
        var dx = NeedsGrad(0) ? Conv2d.Apply(dy, _w!.Get(this), null, _g) : null;
        var dw = NeedsGrad(1) ? Conv2dWeightGrad.Apply(dy, _x!.Get(this), _g) : null;
        var db = _hasBias && NeedsGrad(2) ? dy.Sum([0, 2, 3]) : null;
        return _hasBias ? [dx, dw, db] : [dx, dw];
    }

    protected override void ReleaseSaved()
    {
        _x?.Release();
        _w?.Release();
    }
}
