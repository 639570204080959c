using Nabla.Backends.Cpu;

namespace Nabla.Ops;

/// <summary>y = |x| · backward: dx = dy · sign(x) (0 at x = 0)</summary>
internal sealed class Abs : Node
{
    private SavedTensor? _saved;

    public static Tensor Apply(Tensor x)
    {
        var y = Elementwise.Unary<AbsOperator>(x);
        return Graph.Needs(x) ? Graph.Attach(y, new Abs { _saved = new(x) }, x) : y;
    }

    internal override Tensor?[] Backward(Tensor dy)
    {
        var x = _saved!.Get(this);
        return [dy * x.Sign()];
    }

    protected override void ReleaseSaved() => _saved?.Release();
}
