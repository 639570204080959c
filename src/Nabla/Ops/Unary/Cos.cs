using Nabla.Backends.Cpu;

namespace Nabla.Ops;

/// <summary>y = cos(x) · backward: dx = -dy · sin(x)</summary>
internal sealed class Cos : Node
{
    private SavedTensor? _saved;

    public static Tensor Apply(Tensor x)
    {
        var y = Elementwise.Unary<CosOperator>(x);
        return Graph.Needs(x) ? Graph.Attach(y, new Cos { _saved = new(x) }, x) : y;
    }

    internal override Tensor?[] Backward(Tensor dy)
    {
        var x = _saved!.Get(this);
        return [-(dy * x.Sin())];
    }

    protected override void ReleaseSaved() => _saved?.Release();
}
