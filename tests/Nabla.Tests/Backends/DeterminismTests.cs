using Nabla.Backends.Cpu;

namespace Nabla.Tests.Backends;

/// <summary>Reductions and elementwise kernels give bitwise identical results for one and two threads.</summary>
[Collection(nameof(GlobalEngineState))]
public class DeterminismTests
{
    private static T With<T>(int threads, Func<T> f)
    {
        var saved = WorkerPool.Shared.Threads;
        WorkerPool.Shared.Threads = Math.Min(threads, Environment.ProcessorCount);
        try
        {
            return f();
        }
        finally
        {
            WorkerPool.Shared.Threads = saved;
        }
    }

    public static TheoryData<string> Cases() => ["sum", "mean", "sum-rows", "sum-columns", "sum-leading", "max", "var", "exp", "add-broadcast", "sum-middle"];

    private static float[] Run(string name, Tensor x) => name switch
    {
        "sum" => [x.Sum().Item()],
        "mean" => [x.Mean().Item()],
        "sum-rows" => x.Reshape(40, -1).Sum(1).ToArray(),
        "sum-columns" => x.Reshape(40, -1).Sum(0).ToArray(),
        "sum-leading" => x.Reshape(-1, 4).Sum(0).ToArray(),
        "max" => x.Reshape(8, -1).Max(1).ToArray(),
        "var" => [x.Var().Item()],
        "exp" => x.Exp().ToArray(),
        "add-broadcast" => (x.Reshape(-1, 100) + Tensor.Arange(100)).ToArray(),
        "sum-middle" => x.Reshape(8, 50, 1000).Sum([0, 2]).ToArray(),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void One_and_two_threads_agree_bit_for_bit(string name)
    {
        var x = Tensor.Randn([400_000], new Generator(21));
        Assert.Equal(With(1, () => Run(name, x)), With(2, () => Run(name, x)));
    }

    [Fact]
    public void Convolution_forward_and_backward_agree_bit_for_bit_for_one_and_two_threads()
    {
        var g = new Conv2dGeometry(9, 6, 14, 14, 16, 5, 5, PadH: 1, PadW: 1);
        var rng = new Generator(22);
        var x = Tensor.Randn([g.Batch * g.InChannels * g.Height * g.Width], rng).ToArray();
        var w = Tensor.Randn([g.OutChannels * g.PatchSize], rng).ToArray();
        var b = Tensor.Randn([g.OutChannels], rng).ToArray();
        var dy = Tensor.Randn([g.Batch * g.OutChannels * g.OutHeight * g.OutWidth], rng).ToArray();
        float[] Run()
        {
            var y = new float[dy.Length];
            var dx = new float[x.Length];
            var dw = new float[w.Length];
            var db = new float[b.Length];
            Convolution.Forward(x, w, b, y, g);
            Convolution.Backward(x, w, dy, dx, dw, db, g);
            return [.. y, .. dx, .. dw, .. db];
        }
        Assert.Equal(With(1, Run), With(2, Run));
    }

    /// <summary>Reducing all but a middle run of axes (a bias gradient's Σ over N, H, W) reads the runs in place: checked against plain loops.</summary>
    [Theory]
    [InlineData(new[] { 4, 3, 5, 6 }, new[] { 0, 2, 3 })]
    [InlineData(new[] { 7, 2, 3, 9 }, new[] { 0, 3 })]
    [InlineData(new[] { 64, 16, 10, 10 }, new[] { 0, 2, 3 })]
    public void Reductions_that_keep_a_middle_block_match_plain_loops(int[] dims, int[] axes)
    {
        var x = Tensor.Randn(dims, new Generator(23));
        var data = x.ToArray();
        int lead = 1, kept = 1, trail = 1;
        for (var d = 0; d < dims.Length; d++)
        {
            if (!axes.Contains(d)) kept *= dims[d];
            else if (d < Array.FindIndex(Enumerable.Range(0, dims.Length).ToArray(), e => !axes.Contains(e))) lead *= dims[d];
            else trail *= dims[d];
        }
        var sum = x.Sum(axes).ToArray();
        var max = x.Max(axes).ToArray();
        var min = x.Min(axes).ToArray();
        for (var k = 0; k < kept; k++)
        {
            double s = 0;
            float hi = float.NegativeInfinity, lo = float.PositiveInfinity;
            for (var a = 0; a < lead; a++)
            for (var t = 0; t < trail; t++)
            {
                var v = data[(a * kept + k) * trail + t];
                s += v;
                hi = Math.Max(hi, v);
                lo = Math.Min(lo, v);
            }
            Assert.Equal(s, sum[k], 1e-3);
            Assert.Equal(hi, max[k]);
            Assert.Equal(lo, min[k]);
        }
    }

    [Fact]
    public void Fused_lstm_forward_and_gradients_agree_bit_for_bit_for_one_and_two_threads()
    {
        var x = Tensor.Randn([7, 24, 5], new Generator(24));
        float[] Run()
        {
            var lstm = new Nabla.NN.Lstm(5, 16, numLayers: 2, bidirectional: true, generator: new Generator(25));
            var xs = x.Clone().RequireGrad();
            var output = lstm.Forward(xs);
            (output * output).Sum().Backward();
            return [.. output.ToArray(), .. xs.Grad!.ToArray(), .. lstm.Parameters().SelectMany(p => p.Grad!.ToArray())];
        }
        Assert.Equal(With(1, Run), With(2, Run));
    }

    [Fact]
    public void Long_sums_stay_accurate()
    {
        // Ten million 0.1s: one running float32 sum drifts by ~1%; the chunked sum stays close.
        var total = Tensor.Full([10_000_000], 0.1f).Sum().Item();
        Assert.InRange(total, 999_000f, 1_001_000f);
        var columns = Tensor.Full([5_000_000, 2], 0.1f).Sum(0).ToArray();
        Assert.All(columns, c => Assert.InRange(c, 499_500f, 500_500f));
    }
}
