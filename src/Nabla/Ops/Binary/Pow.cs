using Nabla.Backends.Cpu;

namespace Nabla.Ops;

/// <summary>
/// y = a^b · backward: da = dy · b · a^(b-1) (0 where b = 0), db = dy · y · ln(a)
/// (db is taken as 0 where a = 0 and b ≥ 0, where ln(a) is -∞ but the limit is 0).
/// </summary>
internal sealed class Pow : Node
{
    private SavedTensor? _a, _b, _y;

    public static Tensor Apply(Tensor a, Tensor b)
    {
        (a, b) = Broadcasting.Align(a, b, "Pow");
        var y = Elementwise.Binary<PowOperator>(a, b);
        if (!Graph.Needs(a, b)) return y;
        return Graph.Attach(y, new Pow { _a = new(a), _b = new(b), _y = b.RequiresGrad ? new(y) : null }, a, b);
    }

    internal override Tensor?[] Backward(Tensor dy)
    {
        var a = _a!.Get(this);
        var b = _b!.Get(this);
        Tensor? da = null, db = null;
        if (NeedsGrad(0)) da = Tensor.Where(b.Eq(0f), Tensor.Scalar(0f), dy * b * a.Pow(b - 1f)); // d(a^0)/da = 0, also at a = 0
        if (NeedsGrad(1))
        {
            var y = _y!.Get(this);
            var limitIsZero = a.Eq(0f) * b.Ge(0f);
            db = Tensor.Where(limitIsZero, Tensor.Scalar(0f), dy * y * a.Log());
        }
        return [da, db];
    }

    protected override void ReleaseSaved()
    {
        _a?.Release();
        _b?.Release();
        _y?.Release();
    }
}
