namespace Nabla.Backends.Cpu;

/// <summary>
/// The shared iteration plan for up to three same-shape strided operands: axes of size 1 are dropped
/// and neighbouring axes merged wherever every operand allows, so that kernels walk as few and as
/// long rows as possible. Each row is the last (coalesced) axis; kernels process it with one span
/// call when its strides allow.
/// </summary>
internal sealed class StridedLayout
{
    private readonly int[] _dims;      // coalesced sizes; the last is the row
    private readonly int[][] _strides; // per operand, per coalesced axis

    public StridedLayout(ReadOnlySpan<int> shape, params ReadOnlySpan<Tensor> operands)
    {
        var k = operands.Length;
        var dims = new List<int>(shape.Length);
        var strides = new List<int>[k];
        for (var o = 0; o < k; o++) strides[o] = new List<int>(shape.Length);
        Offsets = new int[k];
        for (var o = 0; o < k; o++) Offsets[o] = operands[o].Offset;

        for (var axis = 0; axis < shape.Length; axis++)
        {
            var size = shape[axis];
            if (size == 1) continue;
            var last = dims.Count - 1;
            var mergeable = last >= 0;
            for (var o = 0; o < k && mergeable; o++)
            {
                mergeable = strides[o][last] == operands[o].StrideArray[axis] * size;
            }
            if (mergeable)
            {
                dims[last] *= size;
                for (var o = 0; o < k; o++) strides[o][last] = operands[o].StrideArray[axis];
            }
            else
            {
                dims.Add(size);
                for (var o = 0; o < k; o++) strides[o].Add(operands[o].StrideArray[axis]);
            }
        }
        if (dims.Count == 0)
        {
            dims.Add(1);
            for (var o = 0; o < k; o++) strides[o].Add(1);
        }
        _dims = [.. dims];
        _strides = new int[k][];
        for (var o = 0; o < k; o++) _strides[o] = [.. strides[o]];

        RowLength = _dims[^1];
        long rows = 1;
        for (var i = 0; i < _dims.Length - 1; i++) rows *= _dims[i];
        if (HasZero(shape))
        {
            Rows = 0;
            RowLength = 0;
        }
        else
        {
            Rows = (int)rows;
        }
    }

    /// <summary>Elements per row.</summary>
    public int RowLength { get; }

    /// <summary>Number of rows.</summary>
    public int Rows { get; }

    /// <summary>Storage offset of each operand's first element.</summary>
    public int[] Offsets { get; }

    /// <summary>Number of outer axes: the size of the index buffer <see cref="Advance"/> needs.</summary>
    public int OuterRank => _dims.Length - 1;

    /// <summary>Step between neighbours within a row, for operand <paramref name="o"/>.</summary>
    public int InnerStride(int o) => _strides[o][^1];

    /// <summary>Moves <paramref name="offsets"/> from one row's start to the next (index starts all zero).</summary>
    public void Advance(Span<int> index, Span<int> offsets)
    {
        for (var d = _dims.Length - 2; d >= 0; d--)
        {
            index[d]++;
            for (var o = 0; o < offsets.Length; o++) offsets[o] += _strides[o][d];
            if (index[d] < _dims[d]) return;
            for (var o = 0; o < offsets.Length; o++) offsets[o] -= _strides[o][d] * _dims[d];
            index[d] = 0;
        }
    }

    private static bool HasZero(ReadOnlySpan<int> shape)
    {
        foreach (var d in shape)
        {
            if (d == 0) return true;
        }
        return false;
    }
}
