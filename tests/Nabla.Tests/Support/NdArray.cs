namespace Nabla.Tests.Support;

/// <summary>
/// A deliberately plain n-dimensional double array for reference implementations in tests:
/// nested-index loops, no strides, no SIMD, nothing shared with the library's kernels.
/// </summary>
public sealed class NdArray
{
    public NdArray(double[] data, int[] shape)
    {
        var count = 1;
        foreach (var d in shape) count *= d;
        if (count != data.Length) throw new ArgumentException("NdArray: data length does not match shape");
        Data = data;
        Shape = shape;
    }

    public double[] Data { get; }
    public int[] Shape { get; }
    public int Rank => Shape.Length;

    public static NdArray Of(Tensor t) => new(Array.ConvertAll(t.ToArray(), v => (double)v), t.Shape.ToArray());

    public Tensor ToTensor() => Tensor.FromArray(Array.ConvertAll(Data, v => (float)v), Shape);

    public static int[] Strides(int[] shape)
    {
        var s = new int[shape.Length];
        var acc = 1;
        for (var i = shape.Length - 1; i >= 0; i--)
        {
            s[i] = acc;
            acc *= shape[i];
        }
        return s;
    }

    /// <summary>Multi-index of flat position <paramref name="flat"/> in row-major order.</summary>
    public static int[] Unravel(int flat, int[] shape)
    {
        var idx = new int[shape.Length];
        for (var d = shape.Length - 1; d >= 0; d--)
        {
            idx[d] = shape[d] == 0 ? 0 : flat % shape[d];
            flat = shape[d] == 0 ? 0 : flat / shape[d];
        }
        return idx;
    }

    public double At(int[] idx)
    {
        var s = Strides(Shape);
        var o = 0;
        for (var d = 0; d < idx.Length; d++) o += idx[d] * s[d];
        return Data[o];
    }

    /// <summary>Value at a multi-index of a broadcast shape (right-aligned; size-1 axes repeat).</summary>
    public double AtBroadcast(int[] idx)
    {
        var lead = idx.Length - Rank;
        var own = new int[Rank];
        for (var d = 0; d < Rank; d++) own[d] = Shape[d] == 1 ? 0 : idx[d + lead];
        return At(own);
    }

    public static int[] BroadcastShape(params int[][] shapes)
    {
        var rank = shapes.Max(s => s.Length);
        var result = new int[rank];
        for (var i = 0; i < rank; i++)
        {
            var size = 1;
            foreach (var s in shapes)
            {
                var j = i - (rank - s.Length);
                if (j < 0 || s[j] == 1) continue;
                if (size != 1 && size != s[j]) throw new ArgumentException("not broadcastable");
                size = s[j];
            }
            result[i] = size;
        }
        return result;
    }

    public NdArray Map(Func<double, double> f) => new(Data.Select(f).ToArray(), Shape);

    public static NdArray Zip(NdArray a, NdArray b, Func<double, double, double> f)
    {
        var shape = BroadcastShape(a.Shape, b.Shape);
        var n = shape.Aggregate(1, (x, y) => x * y);
        var data = new double[n];
        for (var i = 0; i < n; i++)
        {
            var idx = Unravel(i, shape);
            data[i] = f(a.AtBroadcast(idx), b.AtBroadcast(idx));
        }
        return new NdArray(data, shape);
    }

    public static NdArray Zip3(NdArray a, NdArray b, NdArray c, Func<double, double, double, double> f)
    {
        var shape = BroadcastShape(a.Shape, b.Shape, c.Shape);
        var n = shape.Aggregate(1, (x, y) => x * y);
        var data = new double[n];
        for (var i = 0; i < n; i++)
        {
            var idx = Unravel(i, shape);
            data[i] = f(a.AtBroadcast(idx), b.AtBroadcast(idx), c.AtBroadcast(idx));
        }
        return new NdArray(data, shape);
    }

    /// <summary>Folds the values over the given axes (all when null) with a function of the list of values.</summary>
    public NdArray Reduce(int[]? axes, bool keepDims, Func<List<double>, double> fold)
    {
        var reduced = new bool[Rank];
        if (axes is null || axes.Length == 0) Array.Fill(reduced, true);
        else foreach (var a in axes) reduced[a < 0 ? a + Rank : a] = true;
        var outShapeKeep = Shape.Select((s, d) => reduced[d] ? 1 : s).ToArray();
        var groups = new Dictionary<int, List<double>>();
        var keepStrides = Strides(outShapeKeep);
        for (var i = 0; i < Data.Length; i++)
        {
            var idx = Unravel(i, Shape);
            var o = 0;
            for (var d = 0; d < Rank; d++) o += (reduced[d] ? 0 : idx[d]) * keepStrides[d];
            if (!groups.TryGetValue(o, out var list)) groups[o] = list = [];
            list.Add(Data[i]);
        }
        var count = outShapeKeep.Aggregate(1, (x, y) => x * y);
        var data = new double[count];
        for (var o = 0; o < count; o++) data[o] = fold(groups.TryGetValue(o, out var l) ? l : []);
        var shape = keepDims ? outShapeKeep : Shape.Where((_, d) => !reduced[d]).ToArray();
        return new NdArray(data, shape);
    }

    /// <summary>Batched matrix product with NumPy promotion and batch broadcasting, as three plain loops.</summary>
    public static NdArray MatMul(NdArray a, NdArray b)
    {
        var aShape = a.Rank == 1 ? new[] { 1, a.Shape[0] } : a.Shape;
        var bShape = b.Rank == 1 ? new[] { b.Shape[0], 1 } : b.Shape;
        int m = aShape[^2], k = aShape[^1], n = bShape[^1];
        var batch = BroadcastShape(aShape[..^2], bShape[..^2]);
        var batchCount = batch.Aggregate(1, (x, y) => x * y);
        var aa = new NdArray(a.Data, aShape);
        var bb = new NdArray(b.Data, bShape);
        var data = new double[batchCount * m * n];
        for (var p = 0; p < batchCount; p++)
        {
            var bi = Unravel(p, batch);
            for (var i = 0; i < m; i++)
            for (var j = 0; j < n; j++)
            {
                double s = 0;
                for (var q = 0; q < k; q++)
                {
                    s += aa.AtBroadcast([.. bi, i, q]) * bb.AtBroadcast([.. bi, q, j]);
                }
                data[(p * m + i) * n + j] = s;
            }
        }
        var shape = batch.ToList();
        if (a.Rank > 1) shape.Add(m);
        if (b.Rank > 1) shape.Add(n);
        return new NdArray(data, [.. shape]);
    }
}
