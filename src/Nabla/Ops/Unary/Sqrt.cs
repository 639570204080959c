using Nabla.Backends.Cpu;

namespace Nabla.Ops;

/// <summary>y = √x · backward: dx = dy / (2y)</summary>
internal sealed class Sqrt : Node
{
    private SavedTensor? _saved;

    public static Tensor Apply(Tensor x)
    {
        var y = Elementwise.Unary<SqrtOperator>(x);
        return Graph.Needs(x) ? Graph.Attach(y, new Sqrt { _saved = new(y) }, x) : y;
    }

    internal override Tensor?[] Backward(Tensor dy)
    {
        var y = _saved!.Get(this);
        return [dy / (y * 2f)];
    }

    protected override void ReleaseSaved() => _saved?.Release();
}
