using Nabla.Backends.Cpu;

namespace Nabla.Ops;

/// <summary>y = sin(x) · backward: dx = dy · cos(x)</summary>
internal sealed class Sin : Node
{
    private SavedTensor? _saved;

    public static Tensor Apply(Tensor x)
    {
        var y = Elementwise.Unary<SinOperator>(x);
        return Graph.Needs(x) ? Graph.Attach(y, new Sin { _saved = new(x) }, x) : y;
    }

    internal override Tensor?[] Backward(Tensor dy)
    {
        var x = _saved!.Get(this);
        return [dy * x.Cos()];
    }

    protected override void ReleaseSaved() => _saved?.Release();
}
