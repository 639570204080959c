using Nabla.Data;

namespace Nabla.Distributed;

/// <summary>
/// One rank's shard of a dataset, reshuffled every epoch the way a single-process <see cref="DataLoader"/> with
/// <c>shuffle</c> and <c>seed</c> would be: every rank draws the same permutation, cuts it into
/// global batches of <c>globalBatchSize</c>, and takes slice <c>rank</c> of each
/// (<c>globalBatchSize / size</c> examples). So with averaged gradients, step k of N ranks sees exactly the examples of
/// step k of one process with the global batch. The trailing partial global batch of an epoch is dropped (fewer than
/// <c>globalBatchSize</c> examples; the permutation changes each epoch, so no example is left out for good):
/// every rank then takes the same number of equally sized steps, which collectives require.
/// Load it with a <see cref="DataLoader"/> of batch <see cref="LocalBatchSize"/> and no shuffling, and set
/// <see cref="Epoch"/> before each epoch (<see cref="DataParallel.EpochSetter"/> does it).
/// </summary>
public sealed class DistributedSampler : IDataset
{
    private readonly DataLoader _orderer;
    private int[] _order;

    public DistributedSampler(IDataset dataset, int globalBatchSize, int rank, int size, bool shuffle, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (size < 1 || rank < 0 || rank >= size) throw new ArgumentException($"DistributedSampler: rank must be in [0, size) with size >= 1; got rank {rank}, size {size}.");
        if (globalBatchSize < size || globalBatchSize % size != 0)
        {
            throw new ArgumentException($"DistributedSampler: the global batch size ({globalBatchSize}) must be a positive multiple of the number of ranks ({size}), so each rank gets an equal share.");
        }
        if (dataset.Count < globalBatchSize) throw new ArgumentException($"DistributedSampler: the dataset has {dataset.Count} examples, fewer than one global batch of {globalBatchSize}.");
        (Dataset, GlobalBatchSize, Rank, Size, LocalBatchSize) = (dataset, globalBatchSize, rank, size, globalBatchSize / size);
        Steps = dataset.Count / globalBatchSize;
        // A batch-1 loader over the whole dataset only serves its Order(epoch): the same permutation a single process uses.
        _orderer = new DataLoader(dataset, 1, shuffle: shuffle, seed: seed);
        _order = _orderer.Order(0);
    }

    public IDataset Dataset { get; }
    public int GlobalBatchSize { get; }
    public int LocalBatchSize { get; }
    public int Rank { get; }
    public int Size { get; }

    /// <summary>Steps per epoch: ⌊Count / globalBatchSize⌋ (the remainder is dropped).</summary>
    public int Steps { get; }

    /// <summary>This rank's examples per epoch: Steps · LocalBatchSize.</summary>
    public int Count => Steps * LocalBatchSize;

    /// <summary>The epoch whose permutation <see cref="GetBatch"/> reads.</summary>
    public int Epoch
    {
        get;
        set
        {
            if (value == field) return;
            _order = _orderer.Order(value);
            field = value;
        }
    }

    /// <summary>The dataset index behind local index <paramref name="local"/> in the current epoch.</summary>
    public int GlobalIndex(int local)
    {
        if ((uint)local >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(local), $"DistributedSampler: index {local} is outside [0, {Count}).");
        var (step, offset) = Math.DivRem(local, LocalBatchSize);
        return _order[(step * GlobalBatchSize) + (Rank * LocalBatchSize) + offset];
    }

    public bool BatchesAreFresh => Dataset.BatchesAreFresh;

    public Batch GetBatch(ReadOnlySpan<int> indices)
    {
        var mapped = new int[indices.Length];
        for (var i = 0; i < mapped.Length; i++) mapped[i] = GlobalIndex(indices[i]);
        return Dataset.GetBatch(mapped);
    }
}
