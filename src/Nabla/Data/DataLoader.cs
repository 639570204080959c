using System.Collections;

namespace Nabla.Data;

/// <summary>
/// Serves a dataset in batches, epoch after epoch. With <c>shuffle</c>, each epoch's order is a
/// permutation drawn from a generator seeded by (seed, epoch) alone, so any epoch's order can be
/// rebuilt (resuming mid-epoch gives exactly the batches an uninterrupted run would have seen).
/// An optional <see cref="ITransform"/> (augmentation) is applied to each batch's inputs with a generator
/// seeded by (seed, epoch, batch), so augmented batches are reproducible and resumable too.
/// With <c>prefetch</c>, the next batch is gathered (and transformed) on a worker thread while the current one trains.
/// <code>
/// var loader = new DataLoader(train, batchSize: 64, shuffle: true, seed: 42);
/// foreach (var (x, y) in loader.Epoch(epoch)) { ... }
/// </code>
/// </summary>
public sealed class DataLoader : IEnumerable<Batch>
{
    public DataLoader(IDataset dataset, int batchSize, bool shuffle = false, ulong seed = 0, bool dropLast = false, bool prefetch = false, ITransform? transform = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (batchSize <= 0) throw new ArgumentException($"DataLoader: batchSize must be positive; got {batchSize}.");
        (Dataset, BatchSize, Shuffle, Seed, DropLast, Prefetch, Transform) = (dataset, batchSize, shuffle, seed, dropLast, prefetch, transform);
    }

    /// <summary>Applied to every batch's inputs (e.g. augmentation), or null.</summary>
    public ITransform? Transform { get; }

    public IDataset Dataset { get; }
    public int BatchSize { get; }
    public bool Shuffle { get; }
    public ulong Seed { get; }
    public bool DropLast { get; }
    public bool Prefetch { get; }

    /// <summary>Batches per epoch.</summary>
    public int BatchCount => DropLast ? Dataset.Count / BatchSize : (Dataset.Count + BatchSize - 1) / BatchSize;

    /// <summary>The order in which epoch <paramref name="epoch"/> visits the examples.</summary>
    public int[] Order(int epoch)
    {
        var order = new int[Dataset.Count];
        for (var i = 0; i < order.Length; i++) order[i] = i;
        if (!Shuffle) return order;
        var g = new Generator(Seed ^ (0xD1B54A32D192ED03UL * (ulong)(epoch + 1)));
        for (var i = order.Length - 1; i > 0; i--)
        {
            var j = (int)g.NextInt64(0, i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    /// <summary>The batches of one epoch, optionally starting at batch <paramref name="startBatch"/> (for resuming).</summary>
    public IEnumerable<Batch> Epoch(int epoch, int startBatch = 0)
    {
        if (startBatch < 0 || startBatch > BatchCount) throw new ArgumentOutOfRangeException(nameof(startBatch), $"DataLoader: startBatch {startBatch} is outside [0, {BatchCount}].");
        var order = Order(epoch);
        return Prefetch ? Prefetched(order, epoch, startBatch) : Sequential(order, epoch, startBatch);
    }

    private Batch Load(int[] order, int epoch, int b)
    {
        var start = b * BatchSize;
        var size = Math.Min(BatchSize, order.Length - start);
        var batch = Dataset.GetBatch(order.AsSpan(start, size));
        if (Transform is null) return batch;
        var g = new Generator(Seed ^ 0xA0761D6478BD642FUL ^ (0x9E3779B97F4A7C15UL * (ulong)(epoch + 1)) ^ (0xE7037ED1A0B428DBUL * (ulong)(b + 1)));
        using (Autograd.NoGrad()) return batch with { Input = Transform.Apply(batch.Input, g) };
    }

    private IEnumerable<Batch> Sequential(int[] order, int epoch, int startBatch)
    {
        for (var b = startBatch; b < BatchCount; b++) yield return Load(order, epoch, b);
    }

    private IEnumerable<Batch> Prefetched(int[] order, int epoch, int startBatch)
    {
        if (startBatch >= BatchCount) yield break;
        var next = Task.Run(() => Load(order, epoch, startBatch));
        for (var b = startBatch; b < BatchCount; b++)
        {
            var current = next.GetAwaiter().GetResult();
            var following = b + 1;
            if (following < BatchCount) next = Task.Run(() => Load(order, epoch, following));
            // Gathered on a worker thread, outside any scope: give the batch to the consumer's scope (a training
            // step's), so its buffers go back to the pool when the step ends instead of to the garbage collector.
            if (Dataset.BatchesAreFresh)
            {
                TensorScope.AdoptIntoCurrent(current.Input);
                TensorScope.AdoptIntoCurrent(current.Target);
            }
            yield return current;
        }
    }

    /// <summary>The batches of epoch 0 (use <see cref="Epoch"/> to get a new order each epoch).</summary>
    public IEnumerator<Batch> GetEnumerator() => Epoch(0).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
