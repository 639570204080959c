namespace Nabla.Data;

/// <summary>A batch of examples: inputs [B, ...] and targets [B, ...], row i of each belonging together.</summary>
public readonly record struct Batch(Tensor Input, Tensor Target)
{
    /// <summary>Number of examples in the batch.</summary>
    public int Count => Input.Shape[0];
}

/// <summary>
/// A finite, indexable collection of (input, target) examples. <see cref="GetBatch"/> gathers several
/// examples into one pair of tensors in one go (a data loader calls it once per batch).
/// </summary>
public interface IDataset
{
    /// <summary>Number of examples.</summary>
    int Count { get; }

    /// <summary>The examples at <paramref name="indices"/>, stacked along a new first axis.</summary>
    Batch GetBatch(ReadOnlySpan<int> indices);

    /// <summary>
    /// True when every <see cref="GetBatch"/> returns tensors nobody else holds, so a loader may hand their memory to the
    /// training step's scope; false (the default) for datasets that may return tensors they keep.
    /// </summary>
    bool BatchesAreFresh => false;
}

/// <summary>Examples held in two tensors whose first axes line up: inputs [N, ...] and targets [N, ...].</summary>
public sealed class TensorDataset : IDataset
{
    private readonly float[] _inputs, _targets;
    private readonly int[] _inputShape, _targetShape;
    private readonly int _inputRow, _targetRow;

    public TensorDataset(Tensor inputs, Tensor targets)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        if (inputs.Rank == 0 || targets.Rank == 0 || inputs.Shape[0] != targets.Shape[0])
        {
            throw new ArgumentException($"TensorDataset: inputs {inputs.Shape} and targets {targets.Shape} need the same number of examples on axis 0.");
        }
        Inputs = inputs.Detach();
        Targets = targets.Detach();
        Count = inputs.Shape[0];
        (_inputs, _targets) = (inputs.ToArray(), targets.ToArray());
        (_inputShape, _targetShape) = (inputs.Shape.ToArray(), targets.Shape.ToArray());
        _inputRow = Count == 0 ? 0 : _inputs.Length / Count;
        _targetRow = Count == 0 ? 0 : _targets.Length / Count;
    }

    public int Count { get; }

    /// <summary>Batches are gathered into new tensors every time.</summary>
    public bool BatchesAreFresh => true;

    /// <summary>All inputs [N, ...].</summary>
    public Tensor Inputs { get; }

    /// <summary>All targets [N, ...].</summary>
    public Tensor Targets { get; }

    public Batch GetBatch(ReadOnlySpan<int> indices)
    {
        var x = Gather(_inputs, _inputShape, _inputRow, indices);
        var y = Gather(_targets, _targetShape, _targetRow, indices);
        return new Batch(x, y);
    }

    private Tensor Gather(float[] source, int[] shape, int row, ReadOnlySpan<int> indices)
    {
        var dims = (int[])shape.Clone();
        dims[0] = indices.Length;
        var result = Tensor.Empty(Shape.Wrap(dims));
        var dst = result.Storage.Data.AsSpan();
        for (var i = 0; i < indices.Length; i++)
        {
            var index = indices[i];
            if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(indices), $"TensorDataset: index {index} is outside [0, {Count}).");
            source.AsSpan(index * row, row).CopyTo(dst.Slice(i * row, row));
        }
        return result;
    }

    /// <summary>The examples at the given positions as a new dataset (e.g. one split).</summary>
    public TensorDataset Subset(IReadOnlyList<int> indices)
    {
        var batch = GetBatch([.. indices]);
        return new TensorDataset(batch.Input, batch.Target);
    }
}

/// <summary>A view of some examples of another dataset, by position (no copy).</summary>
public sealed class Subset : IDataset
{
    private readonly IDataset _source;
    private readonly int[] _indices;

    public Subset(IDataset source, IReadOnlyList<int> indices)
    {
        ArgumentNullException.ThrowIfNull(source);
        _source = source;
        _indices = [.. indices];
        foreach (var i in _indices)
        {
            if ((uint)i >= (uint)source.Count) throw new ArgumentOutOfRangeException(nameof(indices), $"Subset: index {i} is outside the source's [0, {source.Count}).");
        }
    }

    public int Count => _indices.Length;

    public bool BatchesAreFresh => _source.BatchesAreFresh;

    /// <summary>Positions in the source dataset.</summary>
    public IReadOnlyList<int> Indices => _indices;

    public Batch GetBatch(ReadOnlySpan<int> indices)
    {
        var mapped = new int[indices.Length];
        for (var i = 0; i < indices.Length; i++) mapped[i] = _indices[indices[i]];
        return _source.GetBatch(mapped);
    }
}
