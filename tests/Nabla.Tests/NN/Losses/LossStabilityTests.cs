using Nabla.NN;
using Nabla.Tests.Support;
using L = Nabla.NN.Losses;

namespace Nabla.Tests.NN.Losses;

/// <summary>
/// Logit-based losses at logits of ±1e4 (where a naive log(σ(x)) or log(softmax) gives -∞ and NaN gradients):
/// values must equal their exact limits and gradients must be finite.
/// </summary>
public class LossStabilityTests
{
    private const float Big = 1e4f;

    // Rows: the loss, the extreme logits, the exact value in the limit (with the tolerance float rounding at 1e4 allows).
    public static readonly Dictionary<string, (Func<Tensor, Tensor> F, Tensor Logits, double Expected)> Rows = new()
    {
        // t = 1 at +Big: 0; t = 0 at +Big: Big; t = 1 at -Big: Big; t = 0 at -Big: 0; t = ½ at ±Big: Big/2 each.
        ["BceWithLogits"] = (x => L.BinaryCrossEntropyWithLogits(x, Tensor.FromArray(1f, 0f, 1f, 0f, 0.5f, 0.5f), reduction: Reduction.Sum),
            Tensor.FromArray(Big, Big, -Big, -Big, Big, -Big), 3 * Big),
        ["BceWithLogitsPosWeight"] = (x => L.BinaryCrossEntropyWithLogits(x, Tensor.FromArray(1f, 0f, 1f, 0f), Tensor.Scalar(3f), reduction: Reduction.Sum),
            Tensor.FromArray(Big, Big, -Big, -Big), Big + 3 * Big),
        // Row 0 [Big, -Big, 0] with label 1: -log p = 2·Big. Row 1 [-Big, Big, Big] with label 2: log 2.
        ["CrossEntropy"] = (x => L.CrossEntropy(x, Tensor.FromArray(1f, 2f), reduction: Reduction.Sum),
            Tensor.FromArray([Big, -Big, 0f, -Big, Big, Big], 2, 3), 2 * Big + Math.Log(2)),
        // Smoothing ε = 0.3, C = 3, row 0: 0.7·2Big + 0.1·(0 + 2Big + Big); row 1 (log p = [-2Big - log 2, -log 2, -log 2]): 0.7·log 2 + 0.1·(2Big + 3·log 2).
        ["CrossEntropySmoothing"] = (x => L.CrossEntropy(x, Tensor.FromArray(1f, 2f), labelSmoothing: 0.3f, reduction: Reduction.Sum),
            Tensor.FromArray([Big, -Big, 0f, -Big, Big, Big], 2, 3), 0.7 * 2 * Big + 0.1 * 3 * Big + 0.7 * Math.Log(2) + 0.1 * (2 * Big + 3 * Math.Log(2))),
        // One-hot probability targets give the same as the indices.
        ["CrossEntropyProbabilities"] = (x => L.CrossEntropy(x, Tensor.FromArray([0f, 1f, 0f, 0f, 0f, 1f], 2, 3), reduction: Reduction.Sum),
            Tensor.FromArray([Big, -Big, 0f, -Big, Big, Big], 2, 3), 2 * Big + Math.Log(2)),
        // D rejects (-Big): log(1 - σ) → 0; D accepts (+Big): → -Big.
        ["GanGeneratorMinimax"] = (x => L.GanGeneratorMinimax(x, Reduction.Sum), Tensor.FromArray(-Big, Big), -Big),
        ["GanGeneratorNonSaturating"] = (x => L.GanGeneratorNonSaturating(x, Reduction.Sum), Tensor.FromArray(-Big, Big), Big),
        // real logits [Big, -Big] → 0 + Big; fake [Big, -Big] → Big + 0; Sum over both.
        ["GanDiscriminator"] = (x => L.GanDiscriminator(x, x, Reduction.Sum), Tensor.FromArray(Big, -Big), 2 * Big),
    };

    public static TheoryData<string> Names() => [.. Rows.Keys];

    [Theory]
    [MemberData(nameof(Names))]
    public void Extreme_logits_give_the_exact_limit_and_finite_gradients(string name)
    {
        var (f, logits, expected) = Rows[name];
        var x = logits.Clone().RequireGrad();
        var loss = f(x);
        Assert.True(float.IsFinite(loss.Item()), $"{name}: loss is {loss.Item()}");
        Assert.True(Math.Abs(loss.Item() - expected) <= 2e-3 + 1e-6 * Math.Abs(expected), $"{name}: loss {loss.Item()} but the limit is {expected}");
        loss.Backward();
        Assert.All(x.Grad!.ToArray(), g => Assert.True(float.IsFinite(g), $"{name}: gradient {g}"));
    }

    [Fact]
    public void Extreme_logit_gradients_have_their_limits()
    {
        // d/dx BCE-with-logits = σ(x) - t: at +Big with t = 0 it is 1, at -Big with t = 0 it is 0.
        var x = Tensor.FromArray(Big, -Big, Big, -Big).RequireGrad();
        L.BinaryCrossEntropyWithLogits(x, Tensor.FromArray(0f, 0f, 1f, 1f), reduction: Reduction.Sum).Backward();
        Check.Close([1f, 0f, 0f, -1f], x.Grad!, context: "σ(x) - t");

        // Cross-entropy: softmax - one-hot; row [Big, -Big, 0] with label 1 → [1, -1, 0].
        var logits = Tensor.FromArray([Big, -Big, 0f], 1, 3).RequireGrad();
        L.CrossEntropy(logits, Tensor.FromArray(1f)).Backward();
        Check.Close(new NdArray([1, -1, 0], [1, 3]), logits.Grad!, context: "softmax - onehot");
    }

    [Fact]
    public void Bce_on_saturated_probabilities_is_clamped_at_100_with_finite_gradients()
    {
        // p = 0 with t = 1 and p = 1 with t = 0: log clamped at -100, as in PyTorch; a correct p = 0 or 1 costs 0.
        var p = Tensor.FromArray(0f, 1f, 0f, 1f).RequireGrad();
        var loss = L.BinaryCrossEntropy(p, Tensor.FromArray(1f, 0f, 0f, 1f), reduction: Reduction.None);
        Check.Close([100f, 100f, 0f, 0f], loss, context: "clamped loss");
        loss.Sum().Backward();
        var g = p.Grad!.ToArray();
        Assert.All(g, v => Assert.True(float.IsFinite(v), $"gradient {v}"));
        Assert.True(g[0] < -1e11f && g[1] > 1e11f, $"the wrong-end gradients push back hard: {g[0]}, {g[1]}"); // ∓1/1e-12
    }
}
