namespace Nabla.Tests.Support;

/// <summary>Plain reference implementations of shape operations, written with index loops.</summary>
public static class Ref
{
    public static NdArray Reshape(NdArray a, params int[] shape) => new(a.Data, shape);

    public static NdArray Permute(NdArray a, params int[] order)
    {
        var shape = order.Select(o => a.Shape[o]).ToArray();
        var n = a.Data.Length;
        var data = new double[n];
        for (var i = 0; i < n; i++)
        {
            var idx = NdArray.Unravel(i, shape);
            var src = new int[a.Rank];
            for (var d = 0; d < order.Length; d++) src[order[d]] = idx[d];
            data[i] = a.At(src);
        }
        return new NdArray(data, shape);
    }

    /// <summary>Python-style slice along one axis (start/stop already resolved and in range).</summary>
    public static NdArray Slice(NdArray a, int axis, int start, int stop, int step)
    {
        var picks = new List<int>();
        for (var i = start; i < stop; i += step) picks.Add(i);
        return Take(a, axis, picks.ToArray());
    }

    /// <summary>The slices at the given positions along an axis.</summary>
    public static NdArray Take(NdArray a, int axis, int[] picks)
    {
        var shape = (int[])a.Shape.Clone();
        shape[axis] = picks.Length;
        var n = shape.Aggregate(1, (x, y) => x * y);
        var data = new double[n];
        for (var i = 0; i < n; i++)
        {
            var idx = NdArray.Unravel(i, shape);
            idx[axis] = picks[idx[axis]];
            data[i] = a.At(idx);
        }
        return new NdArray(data, shape);
    }

    public static NdArray Concat(NdArray[] parts, int axis)
    {
        var shape = (int[])parts[0].Shape.Clone();
        shape[axis] = parts.Sum(p => p.Shape[axis]);
        var n = shape.Aggregate(1, (x, y) => x * y);
        var data = new double[n];
        for (var i = 0; i < n; i++)
        {
            var idx = NdArray.Unravel(i, shape);
            var j = idx[axis];
            var p = 0;
            while (j >= parts[p].Shape[axis]) j -= parts[p++].Shape[axis];
            idx[axis] = j;
            data[i] = parts[p].At(idx);
        }
        return new NdArray(data, shape);
    }

    public static NdArray Expand(NdArray a, params int[] shape)
    {
        var n = shape.Aggregate(1, (x, y) => x * y);
        var data = new double[n];
        for (var i = 0; i < n; i++) data[i] = a.AtBroadcast(NdArray.Unravel(i, shape));
        return new NdArray(data, shape);
    }

    public static NdArray Pad(NdArray a, (int Before, int After)[] widths, double value)
    {
        var shape = a.Shape.Select((s, d) => s + widths[d].Before + widths[d].After).ToArray();
        var n = shape.Aggregate(1, (x, y) => x * y);
        var data = new double[n];
        for (var i = 0; i < n; i++)
        {
            var idx = NdArray.Unravel(i, shape);
            var inside = true;
            for (var d = 0; d < idx.Length; d++)
            {
                idx[d] -= widths[d].Before;
                inside &= idx[d] >= 0 && idx[d] < a.Shape[d];
            }
            data[i] = inside ? a.At(idx) : value;
        }
        return new NdArray(data, shape);
    }

    public static NdArray Gather(NdArray a, int axis, NdArray index)
    {
        var data = new double[index.Data.Length];
        for (var i = 0; i < data.Length; i++)
        {
            var idx = NdArray.Unravel(i, index.Shape);
            var src = (int[])idx.Clone();
            src[axis] = (int)index.Data[i];
            data[i] = a.At(src);
        }
        return new NdArray(data, index.Shape);
    }

    public static NdArray ScatterAdd(NdArray a, int axis, NdArray index, NdArray src)
    {
        var data = (double[])a.Data.Clone();
        var strides = NdArray.Strides(a.Shape);
        for (var i = 0; i < index.Data.Length; i++)
        {
            var idx = NdArray.Unravel(i, index.Shape);
            idx[axis] = (int)index.Data[i];
            var o = 0;
            for (var d = 0; d < idx.Length; d++) o += idx[d] * strides[d];
            data[o] += src.Data[i];
        }
        return new NdArray(data, a.Shape);
    }

    public static int ArgExtreme(List<double> values, bool max)
    {
        var best = 0;
        for (var i = 1; i < values.Count; i++)
        {
            if (max ? values[i] > values[best] : values[i] < values[best]) best = i;
        }
        return best;
    }
}
