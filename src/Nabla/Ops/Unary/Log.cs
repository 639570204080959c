using Nabla.Backends.Cpu;

namespace Nabla.Ops;

/// <summary>y = ln(x) · backward: dx = dy / x</summary>
internal sealed class Log : Node
{
    private SavedTensor? _saved;

    public static Tensor Apply(Tensor x)
    {
        var y = Elementwise.Unary<LogOperator>(x);
        return Graph.Needs(x) ? Graph.Attach(y, new Log { _saved = new(x) }, x) : y;
    }

    internal override Tensor?[] Backward(Tensor dy)
    {
        var x = _saved!.Get(this);
        return [dy / x];
    }

    protected override void ReleaseSaved() => _saved?.Release();
}
