using Nabla.Backends.Cpu;

namespace Nabla.Ops;

/// <summary>y = min(max(x, lo), hi) · backward: dx = dy · [lo ≤ x ≤ hi]</summary>
internal sealed class Clamp : Node
{
    private SavedTensor? _x;
    private float _lo, _hi;

    public static Tensor Apply(Tensor x, float lo, float hi)
    {
        if (lo > hi) throw new ArgumentException($"Clamp: min {lo} is greater than max {hi}.");
        var y = Elementwise.Binary<MaximumOperator>(x, Tensor.Scalar(lo).ExpandView(x.Shape));
        Elementwise.BinaryInto<MinimumOperator>(y, Tensor.Scalar(hi).ExpandView(x.Shape), y);
        return Graph.Needs(x) ? Graph.Attach(y, new Clamp { _x = new(x), _lo = lo, _hi = hi }, x) : y;
    }

    internal override Tensor?[] Backward(Tensor dy)
    {
        var x = _x!.Get(this);
        return [dy * x.Ge(_lo) * x.Le(_hi)];
    }

    protected override void ReleaseSaved() => _x?.Release();
}
