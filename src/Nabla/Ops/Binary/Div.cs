using Nabla.Backends.Cpu;

namespace Nabla.Ops;

/// <summary>y = a / b · backward: da = dy / b, db = -dy · a / b²</summary>
internal sealed class Div : Node
{
    private SavedTensor? _a, _b;

    public static Tensor Apply(Tensor a, Tensor b)
    {
        (a, b) = Broadcasting.Align(a, b, "Div");
        var y = Elementwise.Binary<DivOperator>(a, b);
        if (!Graph.Needs(a, b)) return y;
        return Graph.Attach(y, new Div { _a = b.RequiresGrad ? new(a) : null, _b = new(b) }, a, b);
    }

    internal override Tensor?[] Backward(Tensor dy)
    {
        var a = _a?.Get(this);
        var b = _b?.Get(this);
        return [NeedsGrad(0) ? dy / b! : null, NeedsGrad(1) ? -(dy * a!) / (b! * b!) : null];
    }

    protected override void ReleaseSaved()
    {
        _a?.Release();
        _b?.Release();
    }
}
