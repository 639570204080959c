using Nabla.Backends.Cpu;

namespace Nabla.Ops;

/// <summary>y = ln(1 + x) · backward: dx = dy / (1 + x)</summary>
internal sealed class Log1p : Node
{
    private SavedTensor? _saved;

    public static Tensor Apply(Tensor x)
    {
        var y = Elementwise.Unary<Log1pOperator>(x);
        return Graph.Needs(x) ? Graph.Attach(y, new Log1p { _saved = new(x) }, x) : y;
    }

    internal override Tensor?[] Backward(Tensor dy)
    {
        var x = _saved!.Get(this);
        return [dy / (x + 1f)];
    }

    protected override void ReleaseSaved() => _saved?.Release();
}
