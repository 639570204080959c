using Nabla.Mathematics;
using static Nabla.Tests.MathTests.MathAssert;

namespace Nabla.Tests.MathTests;

public class ModelComparisonTests
{
    /// <summary>Labels 0..3 cycling; A and B right or wrong by a script: both right on 75, only A on 15, only B on 5, both wrong on 5.</summary>
    private static (int[] A, int[] B, int[] Labels) Scripted(int bothRight, int onlyA, int onlyB, int bothWrong)
    {
        var n = bothRight + onlyA + onlyB + bothWrong;
        var labels = Enumerable.Range(0, n).Select(i => i % 4).ToArray();
        var wrong = labels.Select(l => (l + 1) % 4).ToArray();
        var a = new int[n];
        var b = new int[n];
        for (var i = 0; i < n; i++)
        {
            var aRight = i < bothRight + onlyA;
            var bRight = i < bothRight || (i >= bothRight + onlyA && i < bothRight + onlyA + onlyB);
            a[i] = aRight ? labels[i] : wrong[i];
            b[i] = bRight ? labels[i] : (wrong[i] + 1) % 4;
        }
        return (a, b, labels);
    }

    [Fact]
    public void A_clear_winner_is_named_with_exact_mcnemar_for_few_disagreements()
    {
        var (a, b, labels) = Scripted(75, 15, 5, 5);
        var r = ModelComparison.Compare(a, b, labels);
        Assert.Equal(15, r.OnlyACorrect);
        Assert.Equal(5, r.OnlyBCorrect);
        Assert.Equal(ConfidenceIntervals.Wilson(90, 100), r.AccuracyA);
        Assert.Equal(ConfidenceIntervals.Wilson(80, 100), r.AccuracyB);
        // b + c = 20 < 25, so the exact test: p = 2·Σ_{j≤5} C(20, j)/2²⁰ = 2·21700/1048576.
        Assert.Equal("McNemar exact test", r.McNemar.Test);
        Near(2 * 21700 / 1048576.0, r.McNemar.PValue, 1e-12, "exact p");
        Assert.StartsWith("Model A is significantly more accurate than model B", r.Verdict);
        Assert.Contains("90.0% vs 80.0%", r.Verdict);
    }

    [Fact]
    public void Many_disagreements_use_the_chi_square_version_and_small_gaps_are_not_significant()
    {
        var (a, b, labels) = Scripted(300, 20, 16, 64);
        var r = ModelComparison.Compare(a, b, labels);
        Assert.Equal(HypothesisTests.McNemar(20, 16), r.McNemar);
        Assert.StartsWith("No significant difference", r.Verdict);
        var (a2, b2, labels2) = Scripted(300, 10, 40, 50);
        Assert.StartsWith("Model B is significantly more accurate than model A", ModelComparison.Compare(a2, b2, labels2).Verdict);
    }

    [Fact]
    public void Tensor_overload_accepts_class_indices_or_scores()
    {
        var labels = Tensor.FromArray(0f, 1f, 2f, 1f);
        var scoresA = Tensor.FromArray([5f, 0f, 0f, 0f, 5f, 0f, 0f, 0f, 5f, 5f, 0f, 0f], 4, 3); // argmax 0 1 2 0
        var indicesB = Tensor.FromArray(0f, 1f, 2f, 1f);
        var r = ModelComparison.Compare(scoresA, indicesB, labels);
        Assert.Equal(0.75, r.AccuracyA.Estimate);
        Assert.Equal(1.0, r.AccuracyB.Estimate);
        Assert.Equal((0, 1), (r.OnlyACorrect, r.OnlyBCorrect));
        Assert.Contains("predictions of model B", Assert.Throws<ArgumentException>(() => ModelComparison.Compare(scoresA, Tensor.Zeros(3), labels)).Message);
    }
}
