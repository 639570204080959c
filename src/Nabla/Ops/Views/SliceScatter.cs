using Nabla.Backends.Cpu;

namespace Nabla.Ops;

/// <summary>
/// y = a copy of x whose slice [start::step] along <c>axis</c> is replaced by src ·
/// backward: dx = dy with that slice zeroed, dsrc = dy[start::step].
/// </summary>
internal sealed class SliceScatter : Node
{
    private int _axis, _start, _step, _length;

    public static Tensor Apply(Tensor x, Tensor src, int axis, int start, int step)
    {
        var length = src.Shape.Dims[axis];
        var y = Elementwise.Contiguous(x);
        var window = y.Slice(axis, start, start + (length - 1) * step + 1, step);
        if (window.Shape != src.Shape)
        {
            throw new ArgumentException($"SliceScatter: source of shape {src.Shape} does not fit the slice of shape {window.Shape}.");
        }
        Elementwise.CopyInto(src, window.Detach());
        if (!Graph.Needs(x, src)) return y;
        return Graph.Attach(y, new SliceScatter { _axis = axis, _start = start, _step = step, _length = length }, x, src);
    }

    internal override Tensor?[] Backward(Tensor dy)
    {
        var stop = _start + (_length - 1) * _step + 1;
        var dx = NeedsGrad(0) ? Apply(dy, Tensor.Zeros(dy.Slice(_axis, _start, stop, _step).Shape.Dims), _axis, _start, _step) : null;
        var dsrc = NeedsGrad(1) ? dy.Slice(_axis, _start, stop, _step) : null;
        return [dx, dsrc];
    }
}
