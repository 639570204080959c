using Nabla.Backends.Cpu;

namespace Nabla.Ops;

/// <summary>
/// Elementwise maximum or minimum of two tensors · backward: the gradient goes to the chosen operand,
/// split in half on ties: for max, da = dy · ([a &gt; b] + ½[a = b]), db = dy - da.
/// </summary>
internal sealed class Maximum : Node
{
    private SavedTensor? _a, _b;
    private bool _isMin;

    public override string Name => _isMin ? "Minimum" : "Maximum";

    public static Tensor Apply(Tensor a, Tensor b, bool min)
    {
        (a, b) = Broadcasting.Align(a, b, min ? "Minimum" : "Maximum");
        var y = min ? Elementwise.Binary<MinimumOperator>(a, b) : Elementwise.Binary<MaximumOperator>(a, b);
        if (!Graph.Needs(a, b)) return y;
        return Graph.Attach(y, new Maximum { _a = new(a), _b = new(b), _isMin = min }, a, b);
    }

    internal override Tensor?[] Backward(Tensor dy)
    {
        var a = _a!.Get(this);
        var b = _b!.Get(this);
        var wins = _isMin ? a.Lt(b) : a.Gt(b);
        var share = wins + a.Eq(b) * 0.5f;
        var da = dy * share;
        return [da, NeedsGrad(1) ? dy - da : null];
    }

    protected override void ReleaseSaved()
    {
        _a?.Release();
        _b?.Release();
    }
}
