using Nabla.Backends.Cpu;

namespace Nabla.Ops;

/// <summary>
/// G = ∂⟨dy, Conv2d(x, W)⟩/∂W for x [N, C, H, W] and dy [N, O, Ho, Wo], so G [O, C/groups, kh, kw] ·
/// backward (it is bilinear in x and dy): dx = ConvTranspose2d(dy, dG), d(dy) = Conv2d(x, dG).
/// </summary>
internal sealed class Conv2dWeightGrad : Node
{
    private Conv2dGeometry _g;
    private SavedTensor? _x, _dy;

    public static Tensor Apply(Tensor x, Tensor dy, Conv2dGeometry g)
    {
        var gw = ConvKernels.WeightGradient(x, dy, g);
        if (!Graph.Needs(x, dy)) return gw;
        return Graph.Attach(gw, new Conv2dWeightGrad { _g = g, _x = dy.RequiresGrad ? new(x) : null, _dy = x.RequiresGrad ? new(dy) : null }, x, dy);
    }

    internal override Tensor?[] Backward(Tensor dg)
    {
        var dx = NeedsGrad(0) ? ConvTranspose2d.Apply(_dy!.Get(this), dg, null, _g) : null;
        var ddy = NeedsGrad(1) ? Conv2d.Apply(_x!.Get(this), dg, null, _g) : null;
        return [dx, ddy];
    }

    protected override void ReleaseSaved()
    {
        _x?.Release();
        _dy?.Release();
    }
}
