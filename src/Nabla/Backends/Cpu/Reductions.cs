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

        if (x.IsContiguous && KeptBlock(x.Shape.Dims, reduced) is ({ } lead, { } trail) && lead > 1 && trail > 1)
        {
            // x is [lead, outer, trail] with only the middle kept (e.g. a bias gradient, Σ over N, H, W of [N, C, H, W]).
            ReduceMiddle<TOp>(x.Storage.Data, x.Offset, lead, outer, trail, y.Storage.Data, y.Offset);
            return y;
        }

        var permuted = x.PermuteView(order);
        var source = permuted.IsContiguous ? permuted : Elementwise.Contiguous(permuted);
        ReduceJob<TOp>.Run(source.Storage.Data, source.Offset, outer, inner, y.Storage.Data, y.Offset);
        return y;
    }

    /// <summary>
    /// When the kept axes are one contiguous run, the sizes of the reduced blocks before and after it
    /// (either may be 1); otherwise nulls.
    /// </summary>
    private static (int? Lead, int? Trail) KeptBlock(ReadOnlySpan<int> dims, bool[] reduced)
    {
        int first = -1, last = -1;
        for (var d = 0; d < dims.Length; d++)
        {
            if (reduced[d]) continue;
            if (first < 0) first = d;
            else if (last != d - 1) return (null, null);
            last = d;
        }
        if (first < 0) return (null, null);
        int lead = 1, trail = 1;
        for (var d = 0; d < first; d++) lead *= dims[d];
        for (var d = last + 1; d < dims.Length; d++) trail *= dims[d];
        return (lead, trail);
    }

    /// <summary>
    /// y[k] = fold over a of Reduce(x[a, k, 0..trail)): each contiguous run reduced with SIMD, the runs folded
    /// in order of a, so nothing is copied and the order depends only on the shape. Kept indices split over the pool.
    /// </summary>
    private static void ReduceMiddle<TOp>(float[] x, int offset, int lead, int kept, int trail, float[] y, int yOffset) where TOp : IReduction
    {
        void Range(int k0, int k1)
        {
            for (var k = k0; k < k1; k++)
            {
                var acc = TOp.Reduce(x.AsSpan(offset + k * trail, trail));
                for (var a = 1; a < lead; a++) acc = TOp.Fold(acc, TOp.Reduce(x.AsSpan(offset + (a * kept + k) * trail, trail)));
                y[yOffset + k] = acc;
            }
        }
        if (Partition.WorthParallel((int)Math.Min((long)lead * kept * trail, int.MaxValue)) && kept > 1)
        {
            var parts = Math.Min(kept, 4 * WorkerPool.Shared.Threads);
            ParallelFor.Run(parts, part => Range(kept * part / parts, kept * (part + 1) / parts));
        }
        else
        {
            Range(0, kept);
        }
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
