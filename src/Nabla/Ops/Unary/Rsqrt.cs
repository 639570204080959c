using Nabla.Backends.Cpu;

namespace Nabla.Ops;

/// <summary>y = 1/√x · backward: dx = -dy · y³ / 2</summary>
internal sealed class Rsqrt : Node
{
    private SavedTensor? _saved;

    public static Tensor Apply(Tensor x)
    {
        var y = Elementwise.Unary<RsqrtOperator>(x);
        return Graph.Needs(x) ? Graph.Attach(y, new Rsqrt { _saved = new(y) }, x) : y;
    }

    internal override Tensor?[] Backward(Tensor dy)
    {
        var y = _saved!.Get(this);
        return [dy * y * y * y * -0.5f];
    }

    protected override void ReleaseSaved() => _saved?.Release();
}
