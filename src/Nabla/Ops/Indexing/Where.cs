using Nabla.Backends.Cpu;

namespace Nabla.Ops;

/// <summary>
/// y = condition ≠ 0 ? a : b (all three broadcast) · backward: da = dy where the condition holds,
/// db = dy where it does not; the condition gets no gradient.
/// </summary>
internal sealed class Where : Node
{
    private SavedTensor? _condition;

    public static Tensor Apply(Tensor condition, Tensor a, Tensor b)
    {
        (condition, a, b) = Broadcasting.Align(condition.Detach(), a, b, "Where");
        var y = Elementwise.Where(condition, a, b);
        if (!Graph.Needs(a, b)) return y;
        return Graph.Attach(y, new Where { _condition = new(condition) }, condition, a, b);
    }

    internal override Tensor?[] Backward(Tensor dy)
    {
        var c = _condition!.Get(this);
        var zero = Tensor.Scalar(0f);
        return [null, NeedsGrad(1) ? Apply(c, dy, zero) : null, NeedsGrad(2) ? Apply(c, zero, dy) : null];
    }

    protected override void ReleaseSaved() => _condition?.Release();
}
