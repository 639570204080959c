using System.Numerics;
using System.Numerics.Tensors;

namespace Nabla.Backends.Cpu;

/// <summary>An elementwise function over a contiguous span (input and output may be the same span).</summary>
internal interface IUnaryOperator
{
    static abstract void Invoke(ReadOnlySpan<float> x, Span<float> y);
}

internal readonly struct NegOperator : IUnaryOperator
{
    public static void Invoke(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Negate(x, y);
}

internal readonly struct AbsOperator : IUnaryOperator
{
    public static void Invoke(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Abs(x, y);
}

/// <summary>sign(x) in {-1, 0, 1}; NaN stays NaN.</summary>
internal readonly struct SignOperator : IUnaryOperator
{
    public static void Invoke(ReadOnlySpan<float> x, Span<float> y)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var one = Vector<float>.One;
            var zero = Vector<float>.Zero;
            for (; i <= x.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var v = new Vector<float>(x[i..]);
                var pos = Vector.ConditionalSelect(Vector.GreaterThan(v, zero), one, zero);
                var neg = Vector.ConditionalSelect(Vector.LessThan(v, zero), one, zero);
                var s = pos - neg;
                // NaN compares false both ways; keep it NaN as the scalar path does.
                s = Vector.ConditionalSelect(Vector.Equals(v, v), s, v);
                s.CopyTo(y[i..]);
            }
        }
        for (; i < x.Length; i++)
        {
            var v = x[i];
            y[i] = v > 0 ? 1f : v < 0 ? -1f : float.IsNaN(v) ? v : 0f;
        }
    }
}

internal readonly struct ExpOperator : IUnaryOperator
{
    public static void Invoke(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Exp(x, y);
}

internal readonly struct LogOperator : IUnaryOperator
{
    public static void Invoke(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Log(x, y);
}

/// <summary>log(1 + x), accurate for small x.</summary>
internal readonly struct Log1pOperator : IUnaryOperator
{
    public static void Invoke(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.LogP1(x, y);
}

internal readonly struct SqrtOperator : IUnaryOperator
{
    public static void Invoke(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Sqrt(x, y);
}

internal readonly struct RsqrtOperator : IUnaryOperator
{
    public static void Invoke(ReadOnlySpan<float> x, Span<float> y)
    {
        // NOTE: the hardware reciprocal-sqrt estimate has ~12 bits; compute 1/sqrt exactly instead.
        TensorPrimitives.Sqrt(x, y);
        TensorPrimitives.Reciprocal(y, y);
    }
}

internal readonly struct SinOperator : IUnaryOperator
{
    public static void Invoke(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Sin(x, y);
}

internal readonly struct CosOperator : IUnaryOperator
{
    public static void Invoke(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Cos(x, y);
}

internal readonly struct TanhOperator : IUnaryOperator
{
    public static void Invoke(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Tanh(x, y);
}

internal readonly struct SigmoidOperator : IUnaryOperator
{
    public static void Invoke(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Sigmoid(x, y);
}

internal readonly struct ReluOperator : IUnaryOperator
{
    public static void Invoke(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Max(x, 0f, y);
}
