using Nabla.Backends.Cpu;

namespace Nabla.Ops;

/// <summary>y = 1 / (1 + e^-x) · backward: dx = dy · y · (1 - y)</summary>
internal sealed class Sigmoid : Node
{
    private SavedTensor? _saved;

    public static Tensor Apply(Tensor x)
    {
        var y = Elementwise.Unary<SigmoidOperator>(x);
        return Graph.Needs(x) ? Graph.Attach(y, new Sigmoid { _saved = new(y) }, x) : y;
    }

    internal override Tensor?[] Backward(Tensor dy)
    {
        var y = _saved!.Get(this);
        return [dy * y * (1f - y)];
    }

    protected override void ReleaseSaved() => _saved?.Release();
}
