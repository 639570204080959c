namespace Nabla.Backends.Cpu;

/// <summary>Gather and scatter-add along one axis, with index values checked as they are read.</summary>
internal static class Indexing
{
    /// <summary>y[i..] = x[i.. with i_axis replaced by index[i..]]; y has the index's shape.</summary>
    public static Tensor Gather(Tensor x, int axis, Tensor index, string op)
    {
        var y = Tensor.Empty(index.Shape);
        var dst = y.Span;
        var walk = new IndexWalk(index, x, axis);
        var xs = x.Storage.Data;
        var size = x.Shape.Dims[axis];
        var axisStride = x.StrideArray[axis];
        for (var e = 0; e < dst.Length; e++)
        {
            var i = ReadIndex(index.Storage.Data[walk.IndexOffset], size, axis, op);
            dst[e] = xs[walk.TargetOffset + i * axisStride];
            walk.Next();
        }
        return y;
    }

    /// <summary>Adds src[i..] into target[i.. with i_axis replaced by index[i..]] (target is written in place).</summary>
    public static void ScatterAddInto(Tensor target, int axis, Tensor index, Tensor src, string op)
    {
        var walk = new IndexWalk(index, target, axis);
        var srcWalk = new IndexWalk(index, src, -1);
        var t = target.Storage.Data;
        var s = src.Storage.Data;
        var size = target.Shape.Dims[axis];
        var axisStride = target.StrideArray[axis];
        for (var e = 0; e < index.Count; e++)
        {
            var i = ReadIndex(index.Storage.Data[walk.IndexOffset], size, axis, op);
            t[walk.TargetOffset + i * axisStride] += s[srcWalk.TargetOffset];
            walk.Next();
            srcWalk.Next();
        }
    }

    /// <summary>Converts a stored index to an int, or throws naming the op, the value and the allowed range.</summary>
    public static int ReadIndex(float value, int size, int axis, string op)
    {
        var i = (int)value;
        if (i != value)
        {
            throw new ArgumentException($"{op}: index {value} is not a whole number; indices must be integers in [0, {size}) for axis {axis}.");
        }
        if (i < 0 || i >= size)
        {
            throw new ArgumentOutOfRangeException(nameof(value), $"{op}: index {i} is out of range for axis {axis} of size {size}; allowed: 0..{size - 1}.");
        }
        return i;
    }

    /// <summary>
    /// Walks the index tensor in row-major order, tracking the offset of the same coordinates in a
    /// target tensor, with the target's <c>skipAxis</c> left at 0 (the index value supplies it).
    /// </summary>
    private sealed class IndexWalk
    {
        private readonly int[] _dims;
        private readonly int[] _indexStrides;
        private readonly int[] _targetStrides;
        private readonly int[] _counter;

        public IndexWalk(Tensor index, Tensor target, int skipAxis)
        {
            _dims = index.Shape.Dims;
            _indexStrides = index.StrideArray;
            _targetStrides = (int[])target.StrideArray.Clone();
            if (skipAxis >= 0) _targetStrides[skipAxis] = 0;
            _counter = new int[_dims.Length];
            IndexOffset = index.Offset;
            TargetOffset = target.Offset;
        }

        public int IndexOffset { get; private set; }
        public int TargetOffset { get; private set; }

        public void Next()
        {
            for (var d = _dims.Length - 1; d >= 0; d--)
            {
                _counter[d]++;
                IndexOffset += _indexStrides[d];
                TargetOffset += _targetStrides[d];
                if (_counter[d] < _dims[d]) return;
                IndexOffset -= _indexStrides[d] * _dims[d];
                TargetOffset -= _targetStrides[d] * _dims[d];
                _counter[d] = 0;
            }
        }
    }
}
