namespace Nabla.Onnx.Import;

/// <summary>Operators attention graphs use to cut tensors apart: Split (packed q/k/v projections) and Trilu (causal masks).</summary>
internal static partial class Operators
{
    private static void AddSlicing(Dictionary<string, Func<OnnxNode, OnnxValue[]>> t)
    {
        t["Split"] = Split;
        t["Trilu"] = Trilu;
    }

    /// <summary>
    /// Cuts axis (default 0) into consecutive parts of the sizes in split (an attribute before opset 13, an input from 13).
    /// Without split: equal parts, one per output (opset 18's num_outputs may leave the last part smaller: parts of ceil(dim / n)).
    /// </summary>
    private static OnnxValue[] Split(OnnxNode n)
    {
        var x = n.Input(0);
        var axis = n.Axis(n.Int("axis", 0), x.Rank);
        var dim = x.Shape[axis];
        var split = n.Opset < 13 ? n.Ints("split") : n.OptionalInts(1);
        long[] sizes;
        if (split is not null)
        {
            if (split.Length != n.OutputCount || split.Any(s => s < 0) || split.Sum() != dim)
            {
                throw n.Error($"split [{string.Join(", ", split)}] must give {n.OutputCount} non-negative sizes summing to axis {axis}'s {dim} (input [{string.Join(", ", x.Shape)}]).");
            }
            sizes = split;
        }
        else
        {
            var parts = n.Opset >= 18 ? n.Int("num_outputs", n.OutputCount) : n.OutputCount;
            if (parts != n.OutputCount || parts <= 0) throw n.Error($"num_outputs {parts} must be positive and equal the {n.OutputCount} outputs.");
            var size = (dim + parts - 1) / parts;
            if (n.Opset < 18 && dim % parts != 0) throw n.Error($"axis {axis} of size {dim} does not split into {parts} equal parts.");
            sizes = [.. Enumerable.Range(0, (int)parts).Select(i => Math.Clamp(dim - i * size, 0, size))];
        }
        var outputs = new OnnxValue[sizes.Length];
        var start = 0;
        for (var i = 0; i < sizes.Length; i++)
        {
            var (from, length) = (start, (int)sizes[i]);
            outputs[i] = Structural(x, v => v.Narrow(axis, from, length));
            start += length;
        }
        return outputs;
    }

    /// <summary>
    /// Keeps the upper (upper = 1, the default) or lower triangle of the last two axes, [..., R, C]: element (i, j) stays when
    /// j - i ≥ k (upper) or j - i ≤ k (lower), with k the optional scalar input (default 0); the rest becomes 0.
    /// </summary>
    private static OnnxValue[] Trilu(OnnxNode n)
    {
        var x = n.Input(0);
        if (x.Rank < 2) throw n.Error($"input must have at least 2 axes; got [{string.Join(", ", x.Shape)}].");
        var k = n.OptionalInts(1) is { } ks ? ks.Length == 1 ? ks[0] : throw n.Error("k must hold one value.") : 0L;
        var upper = n.Int("upper", 1) != 0;
        int rows = x.Shape[^2], cols = x.Shape[^1];
        bool Keeps(int i, int j) => upper ? j - i >= k : j - i <= k;
        if (!x.IsFloat)
        {
            var values = (long[])x.Ints!.Clone();
            for (var e = 0; e < values.Length; e++)
            {
                if (!Keeps(e / cols % rows, e % cols)) values[e] = 0;
            }
            return One(OnnxValue.Int(values, x.Shape, x.Type));
        }
        var keep = new float[rows * cols];
        for (var i = 0; i < rows; i++)
        for (var j = 0; j < cols; j++) keep[i * cols + j] = Keeps(i, j) ? 1f : 0f;
        // Where rather than a product: a dropped -∞ (a causal mask's fill value) must become 0, not NaN.
        return One(Tensor.Where(Tensor.FromArray(keep, rows, cols), x.Floats!, Tensor.Scalar(0f)));
    }
}
