using Nabla.Backends.Cpu;

namespace Nabla.Ops;

/// <summary>y = max(x, 0) · backward: dx = dy · [x > 0]</summary>
internal sealed class Relu : Node
{
    private SavedTensor? _saved;

    public static Tensor Apply(Tensor x)
    {
        var y = Elementwise.Unary<ReluOperator>(x);
        return Graph.Needs(x) ? Graph.Attach(y, new Relu { _saved = new(y) }, x) : y;
    }

    internal override Tensor?[] Backward(Tensor dy)
    {
        var y = _saved!.Get(this);
        // Building a graph of the gradient (higher-order derivatives) needs it as tensor operations; otherwise one pass.
        return [Autograd.IsEnabled ? dy * y.Gt(0f) : Elementwise.Binary<ReluGradOperator>(dy, y)];
    }

    protected override void ReleaseSaved() => _saved?.Release();
}
