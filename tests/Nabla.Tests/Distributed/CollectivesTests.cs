using Nabla.Data;
using Nabla.Distributed;
using Nabla.NN;

namespace Nabla.Tests.Distributed;

/// <summary>
/// A stand-in for a two-rank group, seen from one rank: the "other" rank's contribution to every allreduce is
/// <see cref="Other"/> (float) or <see cref="OtherDouble"/>, and a broadcast delivers <see cref="Root"/>'s values. Records calls.
/// </summary>
internal sealed class TwoRankFake(int rank = 0) : ICollectives
{
    public Func<int, float> Other { get; init; } = _ => 0f;
    public Func<int, double> OtherDouble { get; init; } = _ => 0.0;
    public float[] Root { get; init; } = [];
    public List<int> AllReduceLengths { get; } = [];
    public int Rank => rank;
    public int Size => 2;

    public void AllReduceSum(Span<float> values)
    {
        AllReduceLengths.Add(values.Length);
        for (var i = 0; i < values.Length; i++) values[i] += Other(i);
    }

    public void AllReduceSum(Span<double> values)
    {
        for (var i = 0; i < values.Length; i++) values[i] += OtherDouble(i);
    }

    public void Broadcast(Span<float> values, int root = 0) => Root.CopyTo(values);

    public void Barrier() { }

    public void Dispose() { }
}

public class CollectivesTests
{
    [Fact]
    public void LocalCollectivesAreTheIdentityOfAOneRankGroup()
    {
        using var c = new LocalCollectives();
        Assert.Equal((0, 1), (c.Rank, c.Size));
        float[] f = [1.5f, -2f];
        double[] d = [3.25];
        c.AllReduceSum(f);
        c.AllReduceSum(d);
        c.Broadcast(f, 0);
        c.Barrier();
        Assert.Equal([1.5f, -2f], f);
        Assert.Equal([3.25], d);
        Assert.Throws<ArgumentException>(() => c.Broadcast(f, 1));
    }

    [Fact]
    public void TheMpiCheckPassesOnOneRank()
    {
        // The same closed forms the hidden `nabla mpi-check` command verifies under mpirun, here with N = 1.
        Assert.Empty(Nabla.Cli.Commands.MpiCheckCommand.Check(new LocalCollectives()));
    }

    [Fact]
    public void AMissingMpiLibraryIsAClearError()
    {
        var e = Assert.Throws<DistributedException>(() => MpiCollectives.Start(["libnabla-no-such-mpi.so.0"]));
        Assert.Contains("needs an MPI library", e.Message, StringComparison.Ordinal);
        Assert.Contains("libnabla-no-such-mpi.so.0", e.Message, StringComparison.Ordinal);
        Assert.Contains("apt-get install openmpi-bin", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1 << 20, 1)] // everything in one bucket
    [InlineData(5, 3)]       // weight [3,4] = 12 > 5 goes alone; bias 3 (+ weight2 3 would not fit); weight2 3 + bias2 1
    public void GradientsBecomeTheMeanOverRanksInFewBuckets(int bucket, int allreduces)
    {
        var model = new Sequential(new Linear(4, 3), new Linear(3, 1));
        var x = Tensor.Randn([5, 4], new Generator(7));
        model.Forward(x).Sum().Backward();
        var before = model.Parameters().Select(p => p.Grad!.ToArray()).ToArray();
        // The other rank's gradient element i (position in the flattened bucket or parameter) is 0.5 + i.
        var fake = new TwoRankFake { Other = i => 0.5f + i };
        var averager = new GradientAverager(fake, model.Parameters(), bucket);
        averager.Average();
        Assert.Equal(allreduces, fake.AllReduceLengths.Count);
        Assert.Equal(12 + 3 + 3 + 1, fake.AllReduceLengths.Sum());
        // Reference: recompute each parameter's offset inside its allreduce from the same bucketing rule.
        var offsets = bucket > 100 ? [0, 12, 15, 18] : new[] { 0, 0, 0, 3 };
        var parameters = model.Parameters().ToArray();
        for (var p = 0; p < parameters.Length; p++)
        {
            var after = parameters[p].Grad!.ToArray();
            for (var i = 0; i < after.Length; i++) Assert.Equal((before[p][i] + 0.5f + offsets[p] + i) / 2f, after[i], 1e-5f);
        }
    }

    [Fact]
    public void BroadcastStateCopiesTheRootsParametersAndBuffers()
    {
        var model = new Sequential(new Linear(2, 2), new BatchNorm1d(2));
        var count = model.StateDict().Values.Sum(t => t.Shape.Count);
        var root = Enumerable.Range(0, count).Select(i => i * 0.25f).ToArray();
        DataParallel.BroadcastState(model, new TwoRankFake(rank: 1) { Root = root });
        Assert.Equal(root, model.StateDict().Values.SelectMany(t => t.ToArray()).ToArray());
    }

    [Fact]
    public void MetricAveragerReplacesLogsByTheirMeanOverRanks()
    {
        var logs = new Dictionary<string, double> { ["loss"] = 2.0, ["accuracy"] = 0.5 };
        // Sorted keys: accuracy (index 0), loss (index 1); the other rank has accuracy 0.75 and loss 1.0.
        new MetricAverager(new TwoRankFake { OtherDouble = i => i == 0 ? 0.75 : 1.0 }).OnEpochEnd(0, logs);
        Assert.Equal(0.625, logs["accuracy"], 12);
        Assert.Equal(1.5, logs["loss"], 12);
    }
}
