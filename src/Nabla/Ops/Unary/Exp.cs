using Nabla.Backends.Cpu;

namespace Nabla.Ops;

/// <summary>y = exp(x) · backward: dx = dy · y</summary>
internal sealed class Exp : Node
{
    private SavedTensor? _saved;

    public static Tensor Apply(Tensor x)
    {
        var y = Elementwise.Unary<ExpOperator>(x);
        return Graph.Needs(x) ? Graph.Attach(y, new Exp { _saved = new(y) }, x) : y;
    }

    internal override Tensor?[] Backward(Tensor dy)
    {
        var y = _saved!.Get(this);
        return [dy * y];
    }

    protected override void ReleaseSaved() => _saved?.Release();
}
