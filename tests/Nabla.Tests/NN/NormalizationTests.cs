using Nabla.NN;
using Nabla.Tests.Support;

namespace Nabla.Tests.NN;

public class NormalizationTests
{
    /// <summary>Per-channel (axis 1) batch statistics of [N, C, ...] data, by plain loops: mean, biased and unbiased variance.</summary>
    private static (double[] Mean, double[] Biased, double[] Unbiased) ChannelStats(float[] x, int[] shape)
    {
        int n = shape[0], c = shape[1], inner = x.Length / (n * c);
        var mean = new double[c];
        var biased = new double[c];
        var unbiased = new double[c];
        for (var ch = 0; ch < c; ch++)
        {
            var values = new List<double>();
            for (var b = 0; b < n; b++)
            for (var i = 0; i < inner; i++) values.Add(x[(b * c + ch) * inner + i]);
            mean[ch] = values.Average();
            var ss = values.Sum(v => (v - mean[ch]) * (v - mean[ch]));
            biased[ch] = ss / values.Count;
            unbiased[ch] = ss / (values.Count - 1);
        }
        return (mean, biased, unbiased);
    }

    [Theory]
    [InlineData(new[] { 8, 3 })]
    [InlineData(new[] { 4, 3, 5 })]
    [InlineData(new[] { 2, 3, 4, 5 })]
    public void Training_mode_normalises_by_batch_statistics_and_updates_running_estimates(int[] shape)
    {
        BatchNorm bn = shape.Length == 4 ? new BatchNorm2d(3, momentum: 0.3f) : new BatchNorm1d(3, momentum: 0.3f);
        using (Autograd.NoGrad())
        {
            bn.Weight!.CopyFrom(Tensor.FromArray(1.5f, -0.5f, 2f));
            bn.Bias!.CopyFrom(Tensor.FromArray(0.1f, 0.2f, -0.3f));
        }
        var x = Tensor.Randn(shape, new Generator(1)) * 3f + 2f;
        var y = bn.Forward(x).ToArray();
        var data = x.ToArray();
        var (mean, biased, unbiased) = ChannelStats(data, shape);
        int c = 3, inner = data.Length / (shape[0] * c);
        float[] gamma = [1.5f, -0.5f, 2f], beta = [0.1f, 0.2f, -0.3f];
        for (var i = 0; i < data.Length; i++)
        {
            var ch = i / inner % c;
            var expected = (data[i] - mean[ch]) / Math.Sqrt(biased[ch] + 1e-5) * gamma[ch] + beta[ch];
            Assert.True(Math.Abs(expected - y[i]) < 1e-4, $"element {i}: {y[i]} vs {expected}");
        }
        Check.Close(mean.Select(m => 0.3 * m).Select(v => (float)v).ToArray(), bn.RunningMean!, 1e-4, 1e-5, "running mean");
        Check.Close(unbiased.Select(v => (float)(0.7 + 0.3 * v)).ToArray(), bn.RunningVar!, 1e-4, 1e-5, "running var");
        Assert.Equal(1f, bn.BatchesTracked!.Item());
    }

    [Fact]
    public void Eval_mode_uses_the_running_estimates()
    {
        var bn = new BatchNorm1d(2);
        using (Autograd.NoGrad())
        {
            bn.RunningMean!.CopyFrom(Tensor.FromArray(1f, -2f));
            bn.RunningVar!.CopyFrom(Tensor.FromArray(4f, 0.25f));
        }
        bn.Eval();
        var y = bn.Forward(Tensor.From(new float[,] { { 3f, -1f }, { 1f, -2f } }));
        Check.Close([2f / MathF.Sqrt(4f + 1e-5f), 1f / MathF.Sqrt(0.25f + 1e-5f), 0f, 0f], y.Reshape(-1), 1e-5, 1e-6);
        Assert.Equal(0f, bn.BatchesTracked!.Item()); // eval leaves the statistics alone
    }

    [Fact]
    public void Without_momentum_the_running_estimates_are_a_cumulative_average()
    {
        var bn = new BatchNorm1d(1, momentum: null);
        var batches = new[] { new[] { 1f, 3f }, new[] { 5f, 9f }, new[] { -2f, 0f } };
        foreach (var b in batches) bn.Forward(Tensor.FromArray(b, 2, 1));
        Assert.Equal((2f + 7f - 1f) / 3f, bn.RunningMean!.Item(), 5);
        Assert.Equal((2f + 8f + 2f) / 3f, bn.RunningVar!.Item(), 5); // unbiased variances 2, 8, 2
    }

    [Fact]
    public void Batch_norm_gradients_match_finite_differences()
    {
        // The layer itself, with its parameters as the inputs being checked.
        Check.Gradients(xs => LayerWith(xs[1], xs[2]).Forward(xs[0]),
            [Tensor.Randn([3, 2, 2, 2], new Generator(3)), Tensor.FromArray(1.2f, 0.7f), Tensor.FromArray(0.1f, -0.2f)], "BatchNorm2d", tol: 2e-2);
    }

    /// <summary>A batch-norm computation whose scale and shift are the given tensors (so their gradients are checked).</summary>
    private static Module LayerWith(Tensor gamma, Tensor beta) => new ScaledNorm(gamma, beta);

    private sealed class ScaledNorm(Tensor gamma, Tensor beta) : Module
    {
        private readonly BatchNorm2d _norm = new(2, affine: false);

        protected override Tensor Compute(Tensor input) => _norm.Forward(input) * gamma.Reshape(1, 2, 1, 1) + beta.Reshape(1, 2, 1, 1);
    }

    [Fact]
    public void Bad_inputs_name_the_layer_and_expected_shape()
    {
        var error = Assert.Throws<ArgumentException>(() => new BatchNorm2d(3).Forward(Tensor.Zeros(2, 4, 5, 5)));
        Assert.Contains("BatchNorm2d(3): input must be [N, C, H, W] with C = 3; got [2, 4, 5, 5]", error.Message);
        var single = Assert.Throws<ArgumentException>(() => new BatchNorm1d(3).Forward(Tensor.Zeros(1, 3)));
        Assert.Contains("more than one value per channel", single.Message);
    }
}
