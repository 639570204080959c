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
        var dims = new int[Math.Max(shape.Length, 1)];
        _strides = new int[k][];
        for (var o = 0; o < k; o++) _strides[o] = new int[dims.Length];
        Offsets = new int[k];
        for (var o = 0; o < k; o++) Offsets[o] = operands[o].Offset;

        var rank = 0; // coalesced axes so far
        var empty = false;
        for (var axis = 0; axis < shape.Length; axis++)
        {
            var size = shape[axis];
            if (size == 0) empty = true;
            if (size == 1) continue;
            var mergeable = rank > 0;
            for (var o = 0; o < k && mergeable; o++)
            {
                mergeable = _strides[o][rank - 1] == operands[o].StrideArray[axis] * size;
            }
            if (!mergeable) rank++;
            dims[rank - 1] = mergeable ? dims[rank - 1] * size : size;
            for (var o = 0; o < k; o++) _strides[o][rank - 1] = operands[o].StrideArray[axis];
        }
        if (rank == 0)
        {
            rank = 1;
            dims[0] = 1;
            for (var o = 0; o < k; o++) _strides[o][0] = 1;
        }
        _dims = dims[..rank];
        for (var o = 0; o < k; o++) _strides[o] = _strides[o][..rank];

        long rows = 1;
        for (var i = 0; i < rank - 1; i++) rows *= _dims[i];
        RowLength = empty ? 0 : _dims[^1];
        Rows = empty ? 0 : (int)rows;
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
}
