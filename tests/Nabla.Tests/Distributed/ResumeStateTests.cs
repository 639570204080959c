using Nabla.Distributed;

namespace Nabla.Tests.Distributed;

/// <summary>The pieces of a distributed resume that run without MPI: sharing epoch figures out and gathering rank states.</summary>
public class ResumeStateTests
{
    /// <summary>Two ranks seen from one: each double allreduce adds the peer's next contribution from <c>peer</c>.</summary>
    private sealed class Peer(int rank, params double[][] peer) : ICollectives
    {
        private int _call;
        public int Rank => rank;
        public int Size => 2;
        public void AllReduceSum(Span<float> values) => throw new NotSupportedException();

        public void AllReduceSum(Span<double> values)
        {
            var contribution = peer[_call++];
            for (var i = 0; i < values.Length; i++) values[i] += contribution[i];
        }

        public void Broadcast(Span<float> values, int root = 0) => throw new NotSupportedException();
        public void Barrier() { }
        public void Dispose() { }
    }

    // Rank 0's and rank 1's running figures: a loss sum, the example count, an accuracy state (correct, total).
    [Theory]
    [InlineData(new[] { 41.25, 64.0, 37.0, 64.0 }, new[] { 39.5, 64.0, 30.0, 64.0 })]
    [InlineData(new[] { 0.0, 32.0, 0.0, 32.0 }, new[] { 7.0, 32.0, 32.0, 32.0 })]
    [InlineData(new[] { -1.5, 96.0, 95.0, 96.0 }, new[] { 2.0, 96.0, 96.0, 96.0 })]
    public void SharesAddUpToTheTotalAndCountsStayWhole(double[] rank0, double[] rank1)
    {
        var share0 = (double[])rank0.Clone();
        var share1 = (double[])rank1.Clone();
        DataParallel.ShareOut(new Peer(0, rank1), share0);
        DataParallel.ShareOut(new Peer(1, rank0), share1);
        for (var i = 0; i < rank0.Length; i++)
        {
            Assert.Equal(rank0[i] + rank1[i], share0[i] + share1[i], 12);
            if (double.IsInteger(rank0[i] + rank1[i])) Assert.True(double.IsInteger(share0[i]) && double.IsInteger(share1[i]), $"figure {i}: {share0[i]}, {share1[i]}");
            Assert.True(Math.Abs(share0[i] - share1[i]) <= 1, $"figure {i} is not shared evenly: {share0[i]}, {share1[i]}");
        }
        // Equal example counts and totals on both ranks, so the mean over ranks of each ratio is the global ratio.
        Assert.Equal((rank0[0] + rank1[0]) / (rank0[1] + rank1[1]), ((share0[0] / share0[1]) + (share1[0] / share1[1])) / 2, 12);
        Assert.Equal((rank0[2] + rank1[2]) / (rank0[3] + rank1[3]), ((share0[2] / share0[3]) + (share1[2] / share1[3])) / 2, 12);
    }

    [Fact]
    public void GatherGivesEveryRanksTextInRankOrder()
    {
        // The peer is rank 1 with "xyz1": it adds its length, then its row of a width-4 table.
        var gathered = RankRandomState.Gather(new Peer(0, [0, 4], [0, 0, 0, 0, 'x', 'y', 'z', '1']), "ab");
        Assert.Equal(["ab", "xyz1"], gathered);
        var local = RankRandomState.Gather(new LocalCollectives(), "A1:B2");
        Assert.Equal(["A1:B2"], local);
    }

    [Fact]
    public void RankRandomStateRestoresThisRanksOwnGenerator()
    {
        var saved = new Nabla.Training.CallbackState();
        var mine = new Generator(5);
        saved.Values["ranks"] = "2";
        saved.Values["rank0"] = new Generator(4).GetState();
        saved.Values["rank1"] = mine.GetState();
        var before = Generator.Default.GetState();
        try
        {
            new RankRandomState(new Peer(1), fallbackSeed: 9).LoadState(saved);
            Assert.Equal(mine.GetState(), Generator.Default.GetState());
            // A rank the checkpoint has no state for (more ranks now than then) falls back to fallbackSeed + rank.
            new RankRandomState(new Peer(1), fallbackSeed: 9).LoadState(new Nabla.Training.CallbackState());
            Assert.Equal(new Generator(10).GetState(), Generator.Default.GetState());
        }
        finally
        {
            Generator.Default.SetState(before);
        }
    }

    [Fact]
    public void ResumingRanksMustSeeTheSameCheckpoint()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "a checkpoint");
            var digest = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path)));
            // Rank 1's contributions to the two allreduces of the gather: its digest's length, then its row.
            double[][] Peer1(string d) => [[0, d.Length], [.. new double[digest.Length], .. d.Select(c => (double)c), .. new double[digest.Length - d.Length]]];
            RankRandomState.CheckSameCheckpoint(new Peer(0, Peer1(digest)), path);
            var e = Assert.Throws<DistributedException>(() => RankRandomState.CheckSameCheckpoint(new Peer(0, Peer1("none")), path));
            Assert.Contains($"rank 1 cannot see {path}, which rank 0 has", e.Message, StringComparison.Ordinal);
            e = Assert.Throws<DistributedException>(() => RankRandomState.CheckSameCheckpoint(new Peer(0, Peer1(new string('0', 64))), path));
            Assert.Contains("rank 1 sees a different", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
