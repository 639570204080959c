using Nabla.Backends.Cpu;

namespace Nabla.Ops;

/// <summary>
/// y = x[start:stop:step] along one axis (a view: offset moved, stride multiplied) ·
/// backward: dx = zeros of x's shape with dy written into the sliced positions.
/// </summary>
internal sealed class Slice : Node
{
    private Shape _inputShape;
    private int _axis, _start, _step;

    /// <summary>Python slice semantics: negative start/stop count from the end, out-of-range bounds clamp.</summary>
    public static Tensor Apply(Tensor x, int axis, int? start, int? stop, int step)
    {
        axis = Shape.NormalizeAxis(axis, x.Rank, "Slice");
        if (step <= 0) throw new ArgumentException($"Slice: step must be positive; got {step}.");
        var size = x.Shape.Dims[axis];
        var s = Resolve(start ?? 0, size);
        var e = Resolve(stop ?? size, size);
        var length = e > s ? (e - s + step - 1) / step : 0;
        if (s == 0 && length == size && step == 1) return x;
        var dims = (int[])x.Shape.Dims.Clone();
        dims[axis] = length;
        var strides = (int[])x.StrideArray.Clone();
        strides[axis] *= step;
        var offset = length == 0 ? x.Offset : x.Offset + s * x.StrideArray[axis];
        var y = x.AsView(Shape.Wrap(dims), strides, offset);
        if (!Graph.Needs(x)) return y;
        return Graph.Attach(y, new Slice { _inputShape = x.Shape, _axis = axis, _start = s, _step = step }, x);
    }

    private static int Resolve(int index, int size)
    {
        if (index < 0) index += size;
        return Math.Clamp(index, 0, size);
    }

    /// <summary>The shape of the sliced tensor (the shape of its gradient).</summary>
    internal Shape InputShape => _inputShape;

    /// <summary>
    /// full[start::step] += dy, in place, for the engine's accumulation of several slices' gradients into one buffer
    /// (what Backward computes, without a full-size tensor per slice). Runs only outside graph recording.
    /// </summary>
    internal void AddInto(Tensor full, Tensor dy)
    {
        var length = dy.Shape.Dims[_axis];
        if (length == 0) return;
        var window = Apply(full, _axis, _start, _start + (length - 1) * _step + 1, _step);
        Elementwise.BinaryInto<AddOperator>(window, dy, window);
    }

    internal override Tensor?[] Backward(Tensor dy) =>
        [SliceScatter.Apply(Tensor.Zeros(_inputShape.Dims), dy, _axis, _start, _step)];
}
