using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

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

/// <summary>
/// tanh(x); below |x| = 0.05, where the library routine loses relative accuracy, its Taylor series. The library
/// routine never sees those small inputs (0 stands in for them): subnormal ones would slow it down severalfold. It is
/// not called at all for a chunk whose inputs are all small, as when activations fade.
/// </summary>
internal readonly struct TanhOperator : IUnaryOperator
{
    private const float SeriesBound = 0.05f;

    /// <summary>2⁻¹³: below it x³/3 is under half an ulp of x, so tanh(x) rounds to x.</summary>
    private const float IdentityBound = 1f / 8192f;

    public static unsafe void Invoke(ReadOnlySpan<float> x, Span<float> y)
    {
        const int chunk = 1024;
        var buffer = stackalloc float[chunk];
        fixed (float* px0 = x, py0 = y)
        {
            for (var start = 0; start < x.Length; start += chunk)
            {
                var n = Math.Min(chunk, x.Length - start);
                float* px = px0 + start, py = py0 + start; // py may be px: y is written only after the chunk of x is read
                var (any, all) = ZeroSmall(px, buffer, n);
                if (!any)
                {
                    TensorPrimitives.Tanh(new ReadOnlySpan<float>(px, n), new Span<float>(py, n));
                    continue;
                }
                if (!all)
                {
                    var b = new Span<float>(buffer, n);
                    TensorPrimitives.Tanh(b, b);
                }
                SeriesWhereSmall(px, buffer, py, n); // when every input is small, the library's values are never read
            }
        }
    }

    /// <summary>b = x with the small inputs set to 0; whether any, and whether all, of them were small.</summary>
    private static unsafe (bool Any, bool All) ZeroSmall(float* x, float* b, int n)
    {
        var i = 0;
        bool any = false, all = true;
        if (Vector256.IsHardwareAccelerated)
        {
            var bound = Vector256.Create(SeriesBound);
            var anyLane = Vector256<float>.Zero;
            var allLanes = Vector256<float>.AllBitsSet;
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var v = Vector256.Load(x + i);
                var small = Vector256.LessThan(Vector256.Abs(v), bound);
                anyLane |= small;
                allLanes &= small;
                Vector256.AndNot(v, small).Store(b + i);
            }
            any = anyLane.ExtractMostSignificantBits() != 0;
            all = i == 0 || allLanes.ExtractMostSignificantBits() == 0xFF;
        }
        for (; i < n; i++)
        {
            var small = MathF.Abs(x[i]) < SeriesBound;
            any |= small;
            all &= small;
            b[i] = small ? 0f : x[i];
        }
        return (any, all);
    }

    /// <summary>
    /// y = the series at x where x is small, t elsewhere. Below 2⁻¹³ the series rounds to x itself, which is taken
    /// directly: the polynomial would multiply subnormal inputs, a slow path on many CPUs.
    /// </summary>
    private static unsafe void SeriesWhereSmall(float* x, float* t, float* y, int n)
    {
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var bound = Vector256.Create(SeriesBound);
            var c3 = Vector256.Create(-1f / 3f);
            var c5 = Vector256.Create(2f / 15f);
            var identity = Vector256.Create(IdentityBound);
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var x0 = Vector256.Load(x + i);
                var magnitude = Vector256.Abs(x0);
                var small = Vector256.LessThan(magnitude, bound);
                var tiny = Vector256.LessThan(magnitude, identity);
                var v = Vector256.AndNot(x0, tiny);
                var v2 = v * v;
                var series = Vector256.CopySign(v + v * v2 * (c3 + v2 * c5), v); // keeps tanh(−0) = −0
                series = Vector256.ConditionalSelect(tiny, x0, series);
                Vector256.ConditionalSelect(small, series, Vector256.Load(t + i)).Store(y + i);
            }
        }
        for (; i < n; i++)
        {
            var v = x[i];
            if (MathF.Abs(v) < IdentityBound)
            {
                y[i] = v;
                continue;
            }
            var v2 = v * v;
            y[i] = MathF.Abs(v) < SeriesBound ? MathF.CopySign(v + v * v2 * (-1f / 3f + v2 * (2f / 15f)), v) : t[i];
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

/// <summary>
/// The error function, by the W. J. Cody rational approximations evaluated in double
/// (relative error far below float precision); erf(±∞) = ±1, NaN stays NaN.
/// </summary>
internal readonly struct ErfOperator : IUnaryOperator
{
    public static void Invoke(ReadOnlySpan<float> x, Span<float> y)
    {
        for (var i = 0; i < x.Length; i++) y[i] = (float)Erf(x[i]);
    }

    internal static double Erf(double x)
    {
        if (double.IsNaN(x)) return x;
        var a = Math.Abs(x);
        double r;
        if (a < 0.5)
        {
            // erf(x) = x · P(x²)/Q(x²)
            var z = x * x;
            var p = ((((0.185777706184603153 * z + 3.16112374387056560) * z + 113.864154151050156) * z + 377.485237685302021) * z + 3209.37758913846947);
            var q = ((((z + 23.6012909523441209) * z + 244.024637934444173) * z + 1282.61652607737228) * z + 2844.23683343917062);
            return x * p / q;
        }
        if (a < 4.0)
        {
            // erfc(a) = exp(-a²) · P(a)/Q(a)
            var p = (((((((2.15311535474403846e-8 * a + 0.564188496988670089) * a + 8.88314979438837594) * a + 66.1191906371416295) * a + 298.635138197400131) * a + 881.952221241769090) * a + 1712.04761263407058) * a + 2051.07837782607147) * a + 1230.33935479799725;
            var q = (((((((a + 15.7449261107098347) * a + 117.693950891312499) * a + 537.181101862009858) * a + 1621.38957456669019) * a + 3290.79923573345963) * a + 4362.61909014324716) * a + 3439.36767414372164) * a + 1230.33935480374942;
            r = 1 - Math.Exp(-a * a) * p / q;
        }
        else if (a < 27)
        {
            // erfc(a) = exp(-a²)/a · (1/√π + P(1/a²)/Q(1/a²)/a²)
            var z = 1 / (a * a);
            var p = ((((0.0163153871373020978 * z + 0.305326634961232344) * z + 0.360344899949804439) * z + 0.125781726111229246) * z + 0.0160837851487422766) * z + 6.58749161529837803e-4;
            var q = ((((z + 2.56852019228982242) * z + 1.87295284992346725) * z + 0.527905102951428412) * z + 0.0605183413124413191) * z + 2.33520497626869185e-3;
            r = 1 - Math.Exp(-a * a) / a * (0.564189583547756287 - z * p / q);
        }
        else
        {
            r = 1;
        }
        return x < 0 ? -r : r;
    }
}
