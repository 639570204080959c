using System.Numerics.Tensors;

namespace Nabla.Backends.Cpu;

/// <summary>A reduction: its value on a contiguous span, and the elementwise combine used to fold rows.</summary>
internal interface IReduction
{
    static abstract float Identity { get; }
    static abstract float Reduce(ReadOnlySpan<float> x);
    static abstract void Combine(ReadOnlySpan<float> x, Span<float> accumulator);
    static abstract float Fold(float a, float b);
}

internal readonly struct SumReduction : IReduction
{
    public static float Identity => 0f;
    public static float Reduce(ReadOnlySpan<float> x) => TensorPrimitives.Sum(x);
    public static void Combine(ReadOnlySpan<float> x, Span<float> acc) => TensorPrimitives.Add(acc, x, acc);
    public static float Fold(float a, float b) => a + b;
}

internal readonly struct ProdReduction : IReduction
{
    public static float Identity => 1f;
    public static float Reduce(ReadOnlySpan<float> x) => x.IsEmpty ? 1f : TensorPrimitives.Product(x);
    public static void Combine(ReadOnlySpan<float> x, Span<float> acc) => TensorPrimitives.Multiply(acc, x, acc);
    public static float Fold(float a, float b) => a * b;
}

internal readonly struct MaxReduction : IReduction
{
    public static float Identity => float.NegativeInfinity;
    public static float Reduce(ReadOnlySpan<float> x) => TensorPrimitives.Max(x);
    public static void Combine(ReadOnlySpan<float> x, Span<float> acc) => TensorPrimitives.Max(acc, x, acc);
    public static float Fold(float a, float b) => MaximumOperator.Invoke(a, b);
}

internal readonly struct MinReduction : IReduction
{
    public static float Identity => float.PositiveInfinity;
    public static float Reduce(ReadOnlySpan<float> x) => TensorPrimitives.Min(x);
    public static void Combine(ReadOnlySpan<float> x, Span<float> acc) => TensorPrimitives.Min(acc, x, acc);
    public static float Fold(float a, float b) => MinimumOperator.Invoke(a, b);
}

/// <summary>
/// Reductions over any set of axes. The order of accumulation depends only on the layout, never on
/// timing, so results are reproducible bit for bit.
/// </summary>
internal static class Reductions
{
    /// <summary>Reduces x over the axes marked in <paramref name="reduced"/>; the result has the kept axes only.</summary>
    public static Tensor Reduce<TOp>(Tensor x, bool[] reduced) where TOp : IReduction
    {
        var rank = x.Rank;
        var keptDims = new List<int>(rank);
        var order = new int[rank];
        var k = 0;
        var inner = 1;
        var leadingOnly = true;
        var seenKept = false;
        for (var d = 0; d < rank; d++)
        {
            if (!reduced[d])
            {
                order[k++] = d;
                keptDims.Add(x.Shape.Dims[d]);
                seenKept = true;
            }
            else
            {
                inner *= x.Shape.Dims[d];
                if (seenKept) leadingOnly = false;
            }
        }
        for (var d = 0; d < rank; d++)
        {
            if (reduced[d]) order[k++] = d;
        }
        var y = Tensor.Empty(Shape.Wrap([.. keptDims]));
        var outer = y.Count;
        var dst = y.Span;
        if (outer == 0) return y;
        if (inner == 0)
        {
            dst.Fill(TOp.Identity);
            return y;
        }

        if (leadingOnly && x.IsContiguous && inner > 1 && outer > 1)
        {
            // x is [inner, outer] row-major: fold whole rows into the result.
            FoldRowsJob<TOp>.Run(x.Storage.Data, x.Offset, inner, outer, dst);
            return y;
        }

        var permuted = x.PermuteView(order);
        var source = permuted.IsContiguous ? permuted : Elementwise.Contiguous(permuted);
        ReduceJob<TOp>.Run(source.Storage.Data, source.Offset, outer, inner, y.Storage.Data, y.Offset);
        return y;
    }

    /// <summary>Index of the largest (or smallest) element along one axis, first one on ties; the axis is removed.</summary>
    public static Tensor ArgExtreme(Tensor x, int axis, bool max)
    {
        var rank = x.Rank;
        var order = new int[rank];
        var keptDims = new int[rank - 1];
        for (int d = 0, k = 0; d < rank; d++)
        {
            if (d == axis) continue;
            order[k] = d;
            keptDims[k++] = x.Shape.Dims[d];
        }
        order[rank - 1] = axis;
        var permuted = x.PermuteView(order);
        var source = permuted.IsContiguous ? permuted : Elementwise.Contiguous(permuted);
        var n = x.Shape.Dims[axis];
        var y = Tensor.Empty(Shape.Wrap(keptDims));
        var flat = source.Span;
        var dst = y.Span;
        for (var o = 0; o < dst.Length; o++)
        {
            var row = flat.Slice(o * n, n);
            var best = max ? TensorPrimitives.IndexOfMax(row) : TensorPrimitives.IndexOfMin(row);
            // NOTE: IndexOfMax ranks +0 above -0; ties are decided by ==, first index wins.
            var value = row[best];
            for (var j = 0; j < best; j++)
            {
                if (row[j] == value)
                {
                    best = j;
                    break;
                }
            }
            dst[o] = best;
        }
        return y;
    }
}
