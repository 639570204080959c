using Nabla.Backends.Cpu;

namespace Nabla.Ops;

/// <summary>y = erf(x) = 2/√π ∫₀ˣ exp(-t²) dt · backward: dx = dy · 2/√π · exp(-x²)</summary>
internal sealed class Erf : Node
{
    private SavedTensor? _saved;

    public static Tensor Apply(Tensor x)
    {
        var y = Elementwise.Unary<ErfOperator>(x);
        return Graph.Needs(x) ? Graph.Attach(y, new Erf { _saved = new(x) }, x) : y;
    }

    internal override Tensor?[] Backward(Tensor dy)
    {
        var x = _saved!.Get(this);
        return [dy * (x * x).Neg().Exp() * (2f / MathF.Sqrt(MathF.PI))];
    }

    protected override void ReleaseSaved() => _saved?.Release();
}
