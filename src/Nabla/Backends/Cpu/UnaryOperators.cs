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

/// <summary>
/// log(1 + x), accurate for small x: with u = 1 + x rounded, log(u)·x/(u - 1) cancels the rounding
/// of u (Goldberg's trick), and where u rounds to 1 the answer is x itself.
/// </summary>
internal readonly struct Log1pOperator : IUnaryOperator
{
    public static void Invoke(ReadOnlySpan<float> x, Span<float> y)
    {
        Span<float> u = stackalloc float[256];
        Span<float> logU = stackalloc float[256];
        for (var start = 0; start < x.Length; start += u.Length)
        {
            var n = Math.Min(u.Length, x.Length - start);
            var xs = x.Slice(start, n);
            var ys = y.Slice(start, n); // may be xs itself: each y[i] is written after x[i] is read
            var us = u[..n];
            var ls = logU[..n];
            TensorPrimitives.Add(xs, 1f, us);
            TensorPrimitives.Log(us, ls);
            for (var i = 0; i < n; i++)
            {
                var d = us[i] - 1f;
                ys[i] = d == 0f ? xs[i] : float.IsFinite(us[i]) ? ls[i] * (xs[i] / d) : ls[i];
            }
        }
    }
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

/// <summary>tanh(x); below |x| = 0.05, where the library routine loses relative accuracy, its Taylor series.</summary>
internal readonly struct TanhOperator : IUnaryOperator
{
    private const float SeriesBound = 0.05f;

    public static void Invoke(ReadOnlySpan<float> x, Span<float> y)
    {
        if (x.Overlaps(y))
        {
            // In place: keep the small inputs before they are overwritten.
            Span<float> copy = stackalloc float[256];
            for (var start = 0; start < x.Length; start += copy.Length)
            {
                var n = Math.Min(copy.Length, x.Length - start);
                x.Slice(start, n).CopyTo(copy);
                Invoke(copy[..n], y.Slice(start, n));
            }
            return;
        }
        TensorPrimitives.Tanh(x, y);
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var bound = new Vector<float>(SeriesBound);
            var c3 = new Vector<float>(-1f / 3f);
            var c5 = new Vector<float>(2f / 15f);
            for (; i <= x.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var v = new Vector<float>(x[i..]);
                var small = Vector.LessThan(Vector.Abs(v), bound);
                if (small == Vector<int>.Zero) continue;
                var v2 = v * v;
                var series = v + v * v2 * (c3 + v2 * c5);
                Vector.ConditionalSelect(small, series, new Vector<float>(y[i..])).CopyTo(y[i..]);
            }
        }
        for (; i < x.Length; i++)
        {
            var v = x[i];
            if (MathF.Abs(v) < SeriesBound)
            {
                var v2 = v * v;
                y[i] = v + v * v2 * (-1f / 3f + v2 * (2f / 15f));
            }
        }
    }
}

internal readonly struct SigmoidOperator : IUnaryOperator
{
    public static void Invoke(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Sigmoid(x, y);
}

internal readonly struct ReluOperator : IUnaryOperator
{
    public static void Invoke(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Max(x, 0f, y);
}
