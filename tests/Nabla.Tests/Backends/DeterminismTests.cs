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

    public static TheoryData<string> Cases() => ["sum", "mean", "sum-rows", "sum-columns", "sum-leading", "max", "var", "exp", "add-broadcast"];

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
