using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Nabla.Backends.Cpu;

namespace Nabla;

public sealed partial class Tensor
{
    /// <summary>A tensor of the given shape filled with 0.</summary>
    public static Tensor Zeros(params int[] shape) => Full(shape, 0f);

    /// <summary>A tensor of the given shape filled with 1.</summary>
    public static Tensor Ones(params int[] shape) => Full(shape, 1f);

    internal static Tensor Ones(Shape shape) => Full(shape.Dims, 1f);

    /// <summary>A tensor of the given shape filled with <paramref name="value"/>.</summary>
    public static Tensor Full(int[] shape, float value)
    {
        var t = Empty(new Shape(shape));
        t.Span.Fill(value);
        return t;
    }

    /// <summary>A rank-0 tensor holding one value.</summary>
    public static Tensor Scalar(float value) => Wrap([value], Shape.Scalar);

    public static Tensor ZerosLike(Tensor x) => Zeros(x.Shape.Dims);
    public static Tensor OnesLike(Tensor x) => Ones(x.Shape.Dims);
    public static Tensor FullLike(Tensor x, float value) => Full(x.Shape.Dims, value);

    /// <summary>0, 1, ..., n-1.</summary>
    public static Tensor Arange(int n) => Arange(0, n, 1);

    /// <summary>Values from <paramref name="start"/> (inclusive) to <paramref name="stop"/> (exclusive) in steps of <paramref name="step"/>.</summary>
    public static Tensor Arange(float start, float stop, float step = 1f)
    {
        if (step == 0f || float.IsNaN(step)) throw new ArgumentException("Arange: step must be non-zero.");
        var count = (int)Math.Max(0, Math.Ceiling((stop - (double)start) / step));
        var t = Empty(Shape.Wrap([count]));
        var s = t.Span;
        for (var i = 0; i < count; i++) s[i] = (float)(start + (double)i * step);
        return t;
    }

    /// <summary><paramref name="steps"/> evenly spaced values from <paramref name="start"/> to <paramref name="end"/>, both included.</summary>
    public static Tensor Linspace(float start, float end, int steps)
    {
        if (steps < 0) throw new ArgumentException($"Linspace: steps must be non-negative; got {steps}.");
        var t = Empty(Shape.Wrap([steps]));
        var s = t.Span;
        var delta = steps > 1 ? ((double)end - start) / (steps - 1) : 0.0;
        for (var i = 0; i < steps; i++) s[i] = (float)(start + i * delta);
        if (steps > 1) s[^1] = end;
        return t;
    }

    /// <summary>An n×m matrix with ones on the diagonal (m defaults to n).</summary>
    public static Tensor Eye(int n, int? m = null)
    {
        var cols = m ?? n;
        var t = Zeros(n, cols);
        var s = t.Span;
        for (var i = 0; i < Math.Min(n, cols); i++) s[i * cols + i] = 1f;
        return t;
    }

    /// <summary>A tensor holding a copy of <paramref name="data"/> in the given shape (row-major).</summary>
    public static Tensor FromArray(float[] data, params int[] shape)
    {
        var s = new Shape(shape);
        if (s.Count != data.Length)
        {
            throw new ArgumentException($"FromArray: {data.Length} values cannot fill shape {s} ({s.Count} elements).");
        }
        return Wrap((float[])data.Clone(), s);
    }

    /// <summary>A 1-D tensor holding a copy of the values.</summary>
    public static Tensor FromArray(params float[] data) => FromArray(data, data.Length);

    /// <summary>
    /// A tensor from a C# array of any rank (<c>float[,]</c>, <c>double[,,]</c>, <c>int[]</c>, ...),
    /// with the array's shape; values are converted to float32.
    /// </summary>
    public static Tensor From(Array array)
    {
        var dims = new int[array.Rank];
        for (var d = 0; d < dims.Length; d++) dims[d] = array.GetLength(d);
        var t = Empty(new Shape(dims));
        var dst = t.Span;
        // Multi-dimensional arrays are stored row-major, so their elements can be read as one flat span.
        ref var first = ref MemoryMarshal.GetArrayDataReference(array);
        var n = dst.Length;
        switch (Type.GetTypeCode(array.GetType().GetElementType()))
        {
            case TypeCode.Single: MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<byte, float>(ref first), n).CopyTo(dst); break;
            case TypeCode.Double: ConvertInto(MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<byte, double>(ref first), n), dst); break;
            case TypeCode.Int32: ConvertInto(MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<byte, int>(ref first), n), dst); break;
            case TypeCode.Int64: ConvertInto(MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<byte, long>(ref first), n), dst); break;
            case TypeCode.Int16: ConvertInto(MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<byte, short>(ref first), n), dst); break;
            case TypeCode.Byte: ConvertInto(MemoryMarshal.CreateReadOnlySpan(ref first, n), dst); break;
            case TypeCode.SByte: ConvertInto(MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<byte, sbyte>(ref first), n), dst); break;
            case TypeCode.Boolean: ConvertInto(MemoryMarshal.CreateReadOnlySpan(ref first, n), dst); break;
            default:
                throw new ArgumentException($"From: arrays of {array.GetType().GetElementType()} are not supported; use float, double, int, long, short, byte, sbyte or bool.");
        }
        return t;
    }

    private static void ConvertInto<T>(ReadOnlySpan<T> source, Span<float> destination) where T : INumberBase<T>
    {
        for (var i = 0; i < source.Length; i++) destination[i] = float.CreateTruncating(source[i]);
    }

    // ---- random ------------------------------------------------------------------------------

    /// <summary>Uniform samples in [0, 1).</summary>
    public static Tensor Rand(int[] shape, Generator? generator = null)
    {
        var g = generator ?? Generator.Default;
        var t = Empty(new Shape(shape));
        var s = t.Span;
        for (var i = 0; i < s.Length; i++) s[i] = g.NextSingle();
        return t;
    }

    /// <inheritdoc cref="Rand(int[], Generator?)"/>
    public static Tensor Rand(params int[] shape) => Rand(shape, null);

    /// <summary>Standard normal samples (mean 0, variance 1).</summary>
    public static Tensor Randn(int[] shape, Generator? generator = null)
    {
        var g = generator ?? Generator.Default;
        var t = Empty(new Shape(shape));
        var s = t.Span;
        for (var i = 0; i < s.Length; i++) s[i] = g.NextGaussian();
        return t;
    }

    /// <inheritdoc cref="Randn(int[], Generator?)"/>
    public static Tensor Randn(params int[] shape) => Randn(shape, null);

    /// <summary>Uniform integers in [low, high), stored as floats.</summary>
    public static Tensor RandInt(int low, int high, int[] shape, Generator? generator = null)
    {
        if (high <= low) throw new ArgumentException($"RandInt: high ({high}) must be greater than low ({low}).");
        var g = generator ?? Generator.Default;
        var t = Empty(new Shape(shape));
        var s = t.Span;
        for (var i = 0; i < s.Length; i++) s[i] = g.NextInt64(low, high);
        return t;
    }

    /// <summary>1 with probability p (each element of <paramref name="probabilities"/>, which must lie in [0, 1]), else 0.</summary>
    public static Tensor Bernoulli(Tensor probabilities, Generator? generator = null)
    {
        var g = generator ?? Generator.Default;
        var p = probabilities.IsContiguous ? probabilities : Elementwise.Contiguous(probabilities);
        var t = Empty(p.Shape);
        var src = p.Span;
        var dst = t.Span;
        for (var i = 0; i < dst.Length; i++)
        {
            var pi = src[i];
            if (!(pi >= 0f && pi <= 1f)) throw new ArgumentOutOfRangeException(nameof(probabilities), $"Bernoulli: probability {pi} at flat index {i} is outside [0, 1].");
            dst[i] = g.NextSingle() < pi ? 1f : 0f;
        }
        return t;
    }

    /// <summary>1 with probability <paramref name="p"/>, else 0, in the given shape.</summary>
    public static Tensor Bernoulli(float p, int[] shape, Generator? generator = null) => Bernoulli(Full(shape, p), generator);
}
