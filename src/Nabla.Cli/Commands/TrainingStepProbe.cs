using System.Diagnostics;

namespace Nabla.Cli.Commands;

/// <summary>
/// A 784-128-64-10 ReLU MLP trained by plain SGD on random digits-shaped data, written with tensor
/// ops only, to measure what one training step costs the garbage collector.
/// </summary>
internal static class TrainingStepProbe
{
    public readonly record struct Result(long BytesPerStep, double GcPauseMsPerStep, double Gen0Per100Steps, double MsPerStep);

    public static Result Measure(bool scoped, int steps)
    {
        var g = new Generator(3);
        const int batch = 64;
        var x = Tensor.Rand([batch, 784], g);
        var labels = Tensor.RandInt(0, 10, [batch, 1], g);
        var parameters = new[]
        {
            Init([784, 128], g), Tensor.Zeros(128).RequireGrad(),
            Init([128, 64], g), Tensor.Zeros(64).RequireGrad(),
            Init([64, 10], g), Tensor.Zeros(10).RequireGrad(),
        };
        for (var i = 0; i < 30; i++) Step(parameters, x, labels, scoped); // warm up: JIT tiers, pool fills

        var bytesBefore = GC.GetAllocatedBytesForCurrentThread();
        var pauseBefore = GC.GetTotalPauseDuration();
        var gen0Before = GC.CollectionCount(0);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < steps; i++) Step(parameters, x, labels, scoped);
        clock.Stop();
        return new Result(
            (GC.GetAllocatedBytesForCurrentThread() - bytesBefore) / steps,
            (GC.GetTotalPauseDuration() - pauseBefore).TotalMilliseconds / steps,
            100.0 * (GC.CollectionCount(0) - gen0Before) / steps,
            clock.Elapsed.TotalMilliseconds / steps);
    }

    private static Tensor Init(int[] shape, Generator g) => (Tensor.Randn(shape, g) * MathF.Sqrt(2f / shape[0])).RequireGrad();

    private static void Step(Tensor[] p, Tensor x, Tensor labels, bool scoped)
    {
        var scope = scoped ? TensorScope.Begin() : null;
        try
        {
            var h1 = (x.MatMul(p[0]) + p[1]).Relu();                   // [64, 128]
            var h2 = (h1.MatMul(p[2]) + p[3]).Relu();                  // [64, 64]
            var logits = h2.MatMul(p[4]) + p[5];                       // [64, 10]
            var logProbs = logits - logits.LogSumExp([1], keepDims: true);
            var loss = -logProbs.Gather(1, labels).Mean();             // cross-entropy
            loss.Backward();
            using (Autograd.NoGrad())
            {
                foreach (var t in p)
                {
                    t.AddInPlace(t.Grad!, alpha: -0.05f);
                    t.ZeroGrad();
                }
            }
        }
        finally
        {
            scope?.Dispose();
        }
    }
}
