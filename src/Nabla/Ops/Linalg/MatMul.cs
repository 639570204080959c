using Nabla.Backends.Cpu;

namespace Nabla.Ops;

/// <summary>
/// C = A·B over the last two axes, for A [..., M, K] and B [..., K, N] with equal batch axes
/// (Tensor.MatMul broadcasts batch axes and promotes vectors first) ·
/// backward: dA = dC·Bᵀ, dB = Aᵀ·dC.
/// </summary>
internal sealed class MatMul : Node
{
    private SavedTensor? _a, _b;

    public static Tensor Apply(Tensor a, Tensor b)
    {
        var c = MatMulKernel.Multiply(a, b);
        if (!Graph.Needs(a, b)) return c;
        return Graph.Attach(c, new MatMul { _a = b.RequiresGrad ? new(a) : null, _b = a.RequiresGrad ? new(b) : null }, a, b);
    }

    internal override Tensor?[] Backward(Tensor dc)
    {
        var da = NeedsGrad(0) ? Apply(dc, _b!.Get(this).Transpose(-1, -2)) : null;
        var db = NeedsGrad(1) ? Apply(_a!.Get(this).Transpose(-1, -2), dc) : null;
        return [da, db];
    }

    protected override void ReleaseSaved()
    {
        _a?.Release();
        _b?.Release();
    }
}
