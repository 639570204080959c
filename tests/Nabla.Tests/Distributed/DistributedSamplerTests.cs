using Nabla.Data;
using Nabla.Distributed;

namespace Nabla.Tests.Distributed;

public class DistributedSamplerTests
{
    private static TensorDataset Indexed(int n) => new(Tensor.Arange(n).Reshape(n, 1), Tensor.Zeros(n));

    [Theory]
    [InlineData(2, 8, true, 0)]
    [InlineData(2, 8, true, 3)]
    [InlineData(4, 12, true, 1)]
    [InlineData(3, 6, false, 0)]
    public void RanksTogetherSeeTheSingleProcessGlobalBatches(int size, int globalBatch, bool shuffle, int epoch)
    {
        const int n = 53; // not a multiple of any batch: the partial last global batch is dropped
        var data = Indexed(n);
        var single = new DataLoader(data, globalBatch, shuffle: shuffle, seed: 11).Epoch(epoch).Select(b => b.Input.ToArray()).ToList();
        var perRank = Enumerable.Range(0, size).Select(r =>
        {
            var sampler = new DistributedSampler(data, globalBatch, r, size, shuffle, seed: 11) { Epoch = epoch };
            Assert.Equal(n / globalBatch * (globalBatch / size), sampler.Count); // equal shards
            return new DataLoader(sampler, sampler.LocalBatchSize).Epoch(0).Select(b => b.Input.ToArray()).ToList();
        }).ToList();
        Assert.All(perRank, batches => Assert.Equal(n / globalBatch, batches.Count));
        for (var step = 0; step < n / globalBatch; step++)
        {
            Assert.Equal(single[step], perRank.SelectMany(batches => batches[step]).ToArray());
        }
    }

    [Theory]
    [InlineData(10, 0, 4, "multiple of the number of ranks")]
    [InlineData(8, 2, 2, "rank must be in")]
    [InlineData(64, 0, 2, "fewer than one global batch")]
    public void BadSettingsAreRejected(int globalBatch, int rank, int size, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => new DistributedSampler(Indexed(20), globalBatch, rank, size, shuffle: true, seed: 0));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }
}
