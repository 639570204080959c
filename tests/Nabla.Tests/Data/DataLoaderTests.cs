using Nabla.Data;

namespace Nabla.Tests.Data;

public class DataLoaderTests
{
    private static TensorDataset Numbered(int n) =>
        new(Tensor.Arange(n).Reshape(n, 1) * Tensor.FromArray(1f, 10f), Tensor.Arange(n)); // input row i = [i, 10i], target i

    [Theory]
    [InlineData(10, 3, false, new[] { 3, 3, 3, 1 })]
    [InlineData(10, 3, true, new[] { 3, 3, 3 })]
    [InlineData(9, 3, false, new[] { 3, 3, 3 })]
    public void Batches_cover_the_data_in_order_without_shuffle(int n, int batch, bool dropLast, int[] sizes)
    {
        var loader = new DataLoader(Numbered(n), batch, dropLast: dropLast);
        var batches = loader.Epoch(0).ToList();
        Assert.Equal(sizes, batches.Select(b => b.Count).ToArray());
        Assert.Equal(sizes.Length, loader.BatchCount);
        var targets = batches.SelectMany(b => b.Target.ToArray()).ToArray();
        Assert.Equal(Enumerable.Range(0, sizes.Sum()).Select(i => (float)i).ToArray(), targets);
        foreach (var b in batches) Assert.True((b.Input.Select(1, 0) * 10f).ValueEquals(b.Input.Select(1, 1)));
    }

    [Fact]
    public void Shuffled_epochs_are_permutations_that_differ_by_epoch_and_repeat_by_seed()
    {
        var data = Numbered(50);
        var a = new DataLoader(data, 8, shuffle: true, seed: 7);
        var b = new DataLoader(data, 8, shuffle: true, seed: 7);
        var e0 = a.Epoch(0).SelectMany(x => x.Target.ToArray()).ToArray();
        var e1 = a.Epoch(1).SelectMany(x => x.Target.ToArray()).ToArray();
        Assert.Equal(Enumerable.Range(0, 50).Select(i => (float)i), e0.Order());
        Assert.NotEqual(e0, e1);
        Assert.Equal(e1, b.Epoch(1).SelectMany(x => x.Target.ToArray()).ToArray());
        Assert.NotEqual(e0, new DataLoader(data, 8, shuffle: true, seed: 8).Epoch(0).SelectMany(x => x.Target.ToArray()).ToArray());
    }

    [Fact]
    public void Resuming_mid_epoch_gives_the_remaining_batches_and_prefetch_changes_nothing()
    {
        var data = Numbered(40);
        var plain = new DataLoader(data, 6, shuffle: true, seed: 3).Epoch(2).Select(x => x.Target.ToArray()).ToList();
        var prefetched = new DataLoader(data, 6, shuffle: true, seed: 3, prefetch: true).Epoch(2).Select(x => x.Target.ToArray()).ToList();
        Assert.Equal(plain, prefetched);
        var resumed = new DataLoader(data, 6, shuffle: true, seed: 3, prefetch: true).Epoch(2, startBatch: 4).Select(x => x.Target.ToArray()).ToList();
        Assert.Equal(plain.Skip(4), resumed);
    }

    [Fact]
    public void Prefetched_batches_belong_to_the_step_scope_that_received_them()
    {
        var loader = new DataLoader(Numbered(12), 4, prefetch: true);
        using var batches = loader.Epoch(0).GetEnumerator();
        Batch first;
        using (TensorScope.Begin())
        {
            Assert.True(batches.MoveNext());
            first = batches.Current;
            Assert.Equal([0f, 1f, 2f, 3f], first.Target.ToArray());
        }
        // The scope gave the batch's buffers back to the pool: the old view refuses to read reused memory.
        Assert.Throws<InvalidOperationException>(() => first.Target.ToArray());
        Assert.True(batches.MoveNext());
        Assert.Equal([4f, 5f, 6f, 7f], batches.Current.Target.ToArray()); // outside a scope: left to the garbage collector
    }

    private sealed class FullBatch(Tensor x, Tensor y) : IDataset
    {
        public int Count => x.Shape[0];
        public Batch GetBatch(ReadOnlySpan<int> indices) => new(x, y); // hands out the tensors it keeps
    }

    [Fact]
    public void Batches_a_dataset_keeps_are_never_given_to_a_step_scope()
    {
        var x = Tensor.Arange(8).Reshape(4, 2) + 0f; // made outside any scope from pooled memory
        var loader = new DataLoader(new FullBatch(x, Tensor.Arange(4) + 0f), 4, prefetch: true);
        for (var epoch = 0; epoch < 2; epoch++)
        {
            using var batches = loader.Epoch(epoch).GetEnumerator();
            using (TensorScope.Begin()) Assert.True(batches.MoveNext());
        }
        Assert.Equal([0f, 1f, 2f, 3f, 4f, 5f, 6f, 7f], x.Reshape(-1).ToArray()); // still readable
    }

    [Fact]
    public void Subsets_and_bad_arguments()
    {
        var data = Numbered(5);
        var subset = new Subset(data, [4, 1]);
        Assert.Equal([4f, 1f], subset.GetBatch([0, 1]).Target.ToArray());
        Assert.Contains("batchSize must be positive", Assert.Throws<ArgumentException>(() => new DataLoader(data, 0)).Message);
        Assert.Contains("same number of examples", Assert.Throws<ArgumentException>(() => new TensorDataset(Tensor.Zeros(3, 2), Tensor.Zeros(4))).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Subset(data, [5]));
    }
}
