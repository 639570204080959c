using Nabla.Backends.Cpu;

namespace Nabla.Ops;

/// <summary>y = x^p for a constant p · backward: dx = dy · p · x^(p-1)</summary>
internal sealed class PowScalar : Node
{
    private SavedTensor? _x;
    private float _p;

    public static Tensor Apply(Tensor x, float p)
    {
        var y = Elementwise.Binary<PowOperator>(x, Tensor.Scalar(p).ExpandView(x.Shape));
        return Graph.Needs(x) ? Graph.Attach(y, new PowScalar { _x = new(x), _p = p }, x) : y;
    }

    internal override Tensor?[] Backward(Tensor dy)
    {
        if (_p == 0f) return [Tensor.ZerosLike(dy)];
        var x = _x!.Get(this);
        return [_p == 1f ? dy : _p == 2f ? dy * x * 2f : dy * _p * x.Pow(_p - 1f)];
    }

    protected override void ReleaseSaved() => _x?.Release();
}
