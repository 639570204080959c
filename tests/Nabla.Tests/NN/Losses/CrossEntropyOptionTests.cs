using Nabla.NN;
using Nabla.Tests.Support;
using L = Nabla.NN.Losses;

namespace Nabla.Tests.NN.Losses;

/// <summary>
/// Label smoothing, class weights and the ignore index on numbers small enough to do by hand. Logits are logs of
/// counts, so the softmax is the counts over their total: log [1, 2, 5] → p = [1/8, 1/4, 5/8].
/// </summary>
public class CrossEntropyOptionTests
{
    private static readonly float[] RowA = [0f, MathF.Log(2f), MathF.Log(5f)];   // p = [1/8, 2/8, 5/8]
    private static readonly float[] RowB = [MathF.Log(2f), 0f, 0f];              // p = [1/2, 1/4, 1/4]
    private static readonly float[] RowC = [0f, 0f, 0f];                         // p = [1/3, 1/3, 1/3]

    private static Tensor Logits(params float[][] rows) => Tensor.FromArray([.. rows.SelectMany(r => r)], rows.Length, 3);

    [Fact]
    public void Plain_cross_entropy_is_minus_log_of_the_target_probability()
    {
        var loss = L.CrossEntropy(Logits(RowA, RowB), Tensor.FromArray(2f, 0f), reduction: Reduction.None);
        Check.Close([-MathF.Log(5f / 8f), MathF.Log(2f)], loss, context: "[-log 5/8, -log 1/2]");
    }

    [Fact]
    public void Label_smoothing_mixes_in_the_uniform_distribution()
    {
        // ε = 0.3, C = 3, target 2 of row A: 0.7·(-log 5/8) + 0.1·(log 8 + log 4 + log 8/5).
        var expected = 0.7 * -Math.Log(5.0 / 8) + 0.1 * (Math.Log(8) + Math.Log(4) + Math.Log(8.0 / 5));
        Assert.Equal(0.7225765, expected, 1e-7); // the number worked out on paper
        Assert.Equal((float)expected, L.CrossEntropy(Logits(RowA), Tensor.FromArray(2f), labelSmoothing: 0.3f).Item(), 1e-5);
        // The same as probability targets [0.1, 0.1, 0.8].
        Assert.Equal((float)expected, L.CrossEntropy(Logits(RowA), Tensor.FromArray([0.1f, 0.1f, 0.8f], 1, 3)).Item(), 1e-5);
        // ε = 1 leaves only the uniform part; on uniform logits every ε gives log 3.
        Assert.Equal(MathF.Log(3f), L.CrossEntropy(Logits(RowC), Tensor.FromArray(0f), labelSmoothing: 0.7f).Item(), 1e-5);
    }

    [Fact]
    public void Class_weights_give_a_weighted_mean_over_the_targets_weights()
    {
        // Row A target 0 (weight 1): log 8; row B target 2 (weight 3): 3·log 4. Mean divides by 1 + 3, not by 2.
        var logits = Logits(RowA, RowB);
        var labels = Tensor.FromArray(0f, 2f);
        var weight = Tensor.FromArray(1f, 2f, 3f);
        Check.Close([MathF.Log(8f), 3f * MathF.Log(4f)], L.CrossEntropy(logits, labels, weight, reduction: Reduction.None), context: "None");
        Assert.Equal((Math.Log(8) + 3 * Math.Log(4)) / 4, L.CrossEntropy(logits, labels, weight).Item(), 1e-5);
        Assert.Equal(Math.Log(8) + 3 * Math.Log(4), L.CrossEntropy(logits, labels, weight, reduction: Reduction.Sum).Item(), 1e-5);
        // Equal weights change nothing in the mean.
        Assert.Equal(L.CrossEntropy(logits, labels).Item(), L.CrossEntropy(logits, labels, Tensor.Full([3], 7f)).Item(), 1e-6);
    }

    [Fact]
    public void Ignored_targets_count_for_nothing()
    {
        var logits = Logits(RowA, RowC, RowB);
        var labels = Tensor.FromArray(0f, -100f, 2f);
        Check.Close([MathF.Log(8f), 0f, MathF.Log(4f)], L.CrossEntropy(logits, labels, ignoreIndex: -100, reduction: Reduction.None), context: "None");
        Assert.Equal((Math.Log(8) + Math.Log(4)) / 2, L.CrossEntropy(logits, labels, ignoreIndex: -100).Item(), 1e-5); // over 2, not 3
        // Any index can be the ignored one, including a real class.
        Assert.Equal(Math.Log(8), L.CrossEntropy(logits, Tensor.FromArray(0f, 1f, 1f), ignoreIndex: 1).Item(), 1e-5);
        // Nothing counted: 0 (PyTorch gives NaN).
        Assert.Equal(0f, L.CrossEntropy(logits, Tensor.Full([3], -100f), ignoreIndex: -100).Item());
    }

    [Fact]
    public void All_three_options_together_follow_pytorch()
    {
        // Rows A (target 0), C (ignored), B (target 2); weights [1, 2, 3]; ε = 0.3.
        // Per row: 0.7·w[y]·(-log p_y) + 0.1·Σ_c w_c·(-log p_c); Mean divides by w[0] + w[2] = 4.
        var rowA = 0.7 * 1 * Math.Log(8) + 0.1 * (1 * Math.Log(8) + 2 * Math.Log(4) + 3 * Math.Log(8.0 / 5));
        var rowB = 0.7 * 3 * Math.Log(4) + 0.1 * (1 * Math.Log(2) + 2 * Math.Log(4) + 3 * Math.Log(4));
        var loss = new CrossEntropyLoss(Tensor.FromArray(1f, 2f, 3f), ignoreIndex: -100, labelSmoothing: 0.3f);
        Assert.Equal((rowA + rowB) / 4, loss.Compute(Logits(RowA, RowC, RowB), Tensor.FromArray(0f, -100f, 2f)).Item(), 1e-5);
    }

    [Fact]
    public void Nll_reads_the_log_probability_of_the_target()
    {
        var logp = Tensor.FromArray([-1f, -2f, -3f, -0.5f, -0.25f, -4f], 2, 3);
        Assert.Equal((2f + 4f) / 2f, L.Nll(logp, Tensor.FromArray(1f, 2f)).Item(), 1e-6);
        Assert.Equal((2f * 1f + 4f * 5f) / 6f, L.Nll(logp, Tensor.FromArray(1f, 2f), Tensor.FromArray(9f, 1f, 5f)).Item(), 1e-6);
    }
}

/// <summary>The fused kernel behind plain mean cross-entropy on [N, C] logits, against LogSoftmax + NLL composed.</summary>
public class FusedCrossEntropyTests
{
    [Theory]
    [InlineData(64, 10, 1f)]
    [InlineData(3, 7, 40f)]      // large logits: the log-sum-exp must stay stable
    [InlineData(1, 1, 1f)]
    public void Loss_and_gradient_match_the_composed_log_softmax_and_nll(int rows, int classes, float scale)
    {
        var rng = new Generator(41);
        var logits = (Tensor.Randn([rows, classes], rng) * scale).RequireGrad();
        var labels = Tensor.FromArray(Enumerable.Range(0, rows).Select(i => (float)((i * 7 + 3) % classes)).ToArray(), rows);
        var fused = L.CrossEntropy(logits, labels);
        Assert.Equal("SoftmaxCrossEntropy", fused.GradFn!.Name);
        var fusedGrad = Autograd.Grad(fused, logits);

        var composed = L.Nll(Functional.LogSoftmax(logits, 1), labels);
        var composedGrad = Autograd.Grad(composed, logits);
        Assert.Equal(composed.Item(), fused.Item(), 1e-5 * (1 + Math.Abs(composed.Item())));
        Check.Close(composedGrad.ToArray(), fusedGrad, rtol: 1e-5, atol: 1e-6, context: "dlogits");
    }

    [Fact]
    public void Second_derivatives_go_through_the_composed_formula()
    {
        var logits = Tensor.Randn([4, 5], new Generator(42)).RequireGrad();
        var labels = Tensor.FromArray(1f, 4f, 0f, 2f);
        var g = Autograd.Grad(L.CrossEntropy(logits, labels), logits, createGraph: true);
        var h = Autograd.Grad((g * g).Sum(), logits);
        var gc = Autograd.Grad(L.Nll(Functional.LogSoftmax(logits, 1), labels), logits, createGraph: true);
        var hc = Autograd.Grad((gc * gc).Sum(), logits);
        Check.Close(hc.ToArray(), h, rtol: 1e-4, atol: 1e-6, context: "second derivative");
    }

    [Fact]
    public void Labels_out_of_range_still_get_the_composed_paths_error()
    {
        var error = Assert.Throws<ArgumentException>(() => L.CrossEntropy(Tensor.Zeros(2, 3), Tensor.FromArray(0f, 3f)));
        Assert.Contains("CrossEntropyLoss", error.Message);
    }
}
