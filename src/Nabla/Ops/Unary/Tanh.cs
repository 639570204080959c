using Nabla.Backends.Cpu;

namespace Nabla.Ops;

/// <summary>y = tanh(x) · backward: dx = dy · (1 - y²)</summary>
internal sealed class Tanh : Node
{
    private SavedTensor? _saved;

    public static Tensor Apply(Tensor x)
    {
        var y = Elementwise.Unary<TanhOperator>(x);
        return Graph.Needs(x) ? Graph.Attach(y, new Tanh { _saved = new(y) }, x) : y;
    }

    internal override Tensor?[] Backward(Tensor dy)
    {
        var y = _saved!.Get(this);
        return [dy * (1f - y * y)];
    }

    protected override void ReleaseSaved() => _saved?.Release();
}
