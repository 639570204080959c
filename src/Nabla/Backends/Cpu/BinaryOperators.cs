using System.Numerics;
using System.Numerics.Tensors;

namespace Nabla.Backends.Cpu;

/// <summary>
/// An elementwise function of two operands over contiguous spans: both spans, or one side a
/// scalar (the broadcast fast paths). Output may alias an input exactly.
/// </summary>
internal interface IBinaryOperator
{
    static abstract float Invoke(float a, float b);
    static abstract void Invoke(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y);
    static abstract void Invoke(ReadOnlySpan<float> a, float b, Span<float> y);
    static abstract void Invoke(float a, ReadOnlySpan<float> b, Span<float> y);
}

internal readonly struct AddOperator : IBinaryOperator
{
    public static float Invoke(float a, float b) => a + b;
    public static void Invoke(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y) => TensorPrimitives.Add(a, b, y);
    public static void Invoke(ReadOnlySpan<float> a, float b, Span<float> y) => TensorPrimitives.Add(a, b, y);
    public static void Invoke(float a, ReadOnlySpan<float> b, Span<float> y) => TensorPrimitives.Add(b, a, y);
}

internal readonly struct SubOperator : IBinaryOperator
{
    public static float Invoke(float a, float b) => a - b;
    public static void Invoke(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y) => TensorPrimitives.Subtract(a, b, y);
    public static void Invoke(ReadOnlySpan<float> a, float b, Span<float> y) => TensorPrimitives.Subtract(a, b, y);
    public static void Invoke(float a, ReadOnlySpan<float> b, Span<float> y) => TensorPrimitives.Subtract(a, b, y);
}

internal readonly struct MulOperator : IBinaryOperator
{
    public static float Invoke(float a, float b) => a * b;
    public static void Invoke(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y) => TensorPrimitives.Multiply(a, b, y);
    public static void Invoke(ReadOnlySpan<float> a, float b, Span<float> y) => TensorPrimitives.Multiply(a, b, y);
    public static void Invoke(float a, ReadOnlySpan<float> b, Span<float> y) => TensorPrimitives.Multiply(b, a, y);
}

internal readonly struct DivOperator : IBinaryOperator
{
    public static float Invoke(float a, float b) => a / b;
    public static void Invoke(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y) => TensorPrimitives.Divide(a, b, y);
    public static void Invoke(ReadOnlySpan<float> a, float b, Span<float> y) => TensorPrimitives.Divide(a, b, y);
    public static void Invoke(float a, ReadOnlySpan<float> b, Span<float> y) => TensorPrimitives.Divide(a, b, y);
}

internal readonly struct PowOperator : IBinaryOperator
{
    public static float Invoke(float a, float b) => MathF.Pow(a, b);
    public static void Invoke(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y) => TensorPrimitives.Pow(a, b, y);
    public static void Invoke(ReadOnlySpan<float> a, float b, Span<float> y)
    {
        // Common exponents get exact, fast forms (x² is everywhere in losses and norms).
        if (b == 2f) TensorPrimitives.Multiply(a, a, y);
        else if (b == 1f) a.CopyTo(y);
        else TensorPrimitives.Pow(a, b, y);
    }
    public static void Invoke(float a, ReadOnlySpan<float> b, Span<float> y) => TensorPrimitives.Pow(a, b, y);
}

internal readonly struct MaximumOperator : IBinaryOperator
{
    public static float Invoke(float a, float b) => float.IsNaN(a) || float.IsNaN(b) ? float.NaN : MathF.Max(a, b);
    public static void Invoke(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y) => TensorPrimitives.Max(a, b, y);
    public static void Invoke(ReadOnlySpan<float> a, float b, Span<float> y) => TensorPrimitives.Max(a, b, y);
    public static void Invoke(float a, ReadOnlySpan<float> b, Span<float> y) => TensorPrimitives.Max(b, a, y);
}

internal readonly struct MinimumOperator : IBinaryOperator
{
    public static float Invoke(float a, float b) => float.IsNaN(a) || float.IsNaN(b) ? float.NaN : MathF.Min(a, b);
    public static void Invoke(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y) => TensorPrimitives.Min(a, b, y);
    public static void Invoke(ReadOnlySpan<float> a, float b, Span<float> y) => TensorPrimitives.Min(a, b, y);
    public static void Invoke(float a, ReadOnlySpan<float> b, Span<float> y) => TensorPrimitives.Min(b, a, y);
}

/// <summary>A comparison giving 1 where it holds and 0 elsewhere (SIMD loop: TensorPrimitives has no 0/1 masks).</summary>
internal interface IComparison
{
    static abstract bool Holds(float a, float b);
    static abstract Vector<int> Holds(Vector<float> a, Vector<float> b);
}

internal readonly struct CompareOperator<TCmp> : IBinaryOperator where TCmp : IComparison
{
    public static float Invoke(float a, float b) => TCmp.Holds(a, b) ? 1f : 0f;

    public static void Invoke(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= a.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                Mask(TCmp.Holds(new Vector<float>(a[i..]), new Vector<float>(b[i..]))).CopyTo(y[i..]);
            }
        }
        for (; i < a.Length; i++) y[i] = TCmp.Holds(a[i], b[i]) ? 1f : 0f;
    }

    public static void Invoke(ReadOnlySpan<float> a, float b, Span<float> y)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vb = new Vector<float>(b);
            for (; i <= a.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                Mask(TCmp.Holds(new Vector<float>(a[i..]), vb)).CopyTo(y[i..]);
            }
        }
        for (; i < a.Length; i++) y[i] = TCmp.Holds(a[i], b) ? 1f : 0f;
    }

    public static void Invoke(float a, ReadOnlySpan<float> b, Span<float> y)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var va = new Vector<float>(a);
            for (; i <= b.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                Mask(TCmp.Holds(va, new Vector<float>(b[i..]))).CopyTo(y[i..]);
            }
        }
        for (; i < b.Length; i++) y[i] = TCmp.Holds(a, b[i]) ? 1f : 0f;
    }

    private static Vector<float> Mask(Vector<int> holds) => Vector.ConditionalSelect(holds, Vector<float>.One, Vector<float>.Zero);
}

internal readonly struct EqualTo : IComparison
{
    public static bool Holds(float a, float b) => a == b;
    public static Vector<int> Holds(Vector<float> a, Vector<float> b) => Vector.Equals(a, b);
}

internal readonly struct NotEqualTo : IComparison
{
    public static bool Holds(float a, float b) => a != b;
    public static Vector<int> Holds(Vector<float> a, Vector<float> b) => ~Vector.Equals(a, b);
}

internal readonly struct LessThan : IComparison
{
    public static bool Holds(float a, float b) => a < b;
    public static Vector<int> Holds(Vector<float> a, Vector<float> b) => Vector.LessThan(a, b);
}

internal readonly struct LessThanOrEqual : IComparison
{
    public static bool Holds(float a, float b) => a <= b;
    public static Vector<int> Holds(Vector<float> a, Vector<float> b) => Vector.LessThanOrEqual(a, b);
}

internal readonly struct GreaterThan : IComparison
{
    public static bool Holds(float a, float b) => a > b;
    public static Vector<int> Holds(Vector<float> a, Vector<float> b) => Vector.GreaterThan(a, b);
}

internal readonly struct GreaterThanOrEqual : IComparison
{
    public static bool Holds(float a, float b) => a >= b;
    public static Vector<int> Holds(Vector<float> a, Vector<float> b) => Vector.GreaterThanOrEqual(a, b);
}

/// <summary>ReLU's gradient in one pass: a (the incoming gradient) where b (ReLU's output) is positive, else 0.</summary>
internal readonly struct ReluGradOperator : IBinaryOperator
{
    public static float Invoke(float a, float b) => b > 0f ? a : 0f;

    public static void Invoke(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= a.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var positive = Vector.GreaterThan(new Vector<float>(b[i..]), Vector<float>.Zero);
                Vector.ConditionalSelect(positive, new Vector<float>(a[i..]), Vector<float>.Zero).CopyTo(y[i..]);
            }
        }
        for (; i < a.Length; i++) y[i] = b[i] > 0f ? a[i] : 0f;
    }

    public static void Invoke(ReadOnlySpan<float> a, float b, Span<float> y)
    {
        if (b > 0f) a.CopyTo(y);
        else y.Clear();
    }

    public static void Invoke(float a, ReadOnlySpan<float> b, Span<float> y)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var va = new Vector<float>(a);
            for (; i <= b.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                Vector.ConditionalSelect(Vector.GreaterThan(new Vector<float>(b[i..]), Vector<float>.Zero), va, Vector<float>.Zero).CopyTo(y[i..]);
            }
        }
        for (; i < b.Length; i++) y[i] = b[i] > 0f ? a : 0f;
    }
}
