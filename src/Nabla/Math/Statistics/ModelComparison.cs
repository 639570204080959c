using System.Globalization;

namespace Nabla.Mathematics;

/// <summary>Result of <see cref="ModelComparison.Compare(Tensor, Tensor, Tensor, double, double)"/>.</summary>
/// <param name="AccuracyA">Accuracy of model A with its Wilson interval.</param>
/// <param name="AccuracyB">Accuracy of model B with its Wilson interval.</param>
/// <param name="OnlyACorrect">Examples A got right and B got wrong (McNemar's b).</param>
/// <param name="OnlyBCorrect">Examples B got right and A got wrong (McNemar's c).</param>
/// <param name="McNemar">The test on the discordant pairs: exact binomial when b + c &lt; 25, else chi-square with continuity correction.</param>
/// <param name="Verdict">One line for people: which model is better, or that the difference is not significant.</param>
public sealed record ModelComparisonResult(Interval AccuracyA, Interval AccuracyB, int OnlyACorrect, int OnlyBCorrect, TestResult McNemar, string Verdict);

/// <summary>
/// Compares two classifiers on the same test set: both accuracies with Wilson intervals, and McNemar's test,
/// which looks only at the examples on which the models disagree and so accounts for the pairing.
/// </summary>
public static class ModelComparison
{
    /// <summary>
    /// Predictions are class indices [N] (or scores [N, K], reduced by argmax over the last axis); labels are class indices [N].
    /// </summary>
    public static ModelComparisonResult Compare(Tensor predictionsA, Tensor predictionsB, Tensor labels, double alpha = 0.05, double level = 0.95)
    {
        ArgumentNullException.ThrowIfNull(labels);
        return Compare(Classes(predictionsA, labels, "A"), Classes(predictionsB, labels, "B"), Indices(labels), alpha, level);
    }

    /// <summary>The same comparison on integer class indices.</summary>
    public static ModelComparisonResult Compare(ReadOnlySpan<int> predictionsA, ReadOnlySpan<int> predictionsB, ReadOnlySpan<int> labels, double alpha = 0.05, double level = 0.95)
    {
        if (predictionsA.Length != labels.Length || predictionsB.Length != labels.Length)
        {
            throw new ArgumentException($"ModelComparison.Compare: {labels.Length} labels but {predictionsA.Length} predictions from A and {predictionsB.Length} from B.");
        }
        if (labels.Length == 0) throw new ArgumentException("ModelComparison.Compare: the test set is empty.");
        if (!(alpha > 0 && alpha < 1)) throw new ArgumentException($"ModelComparison.Compare: alpha must lie in (0, 1); got {alpha}.");
        int correctA = 0, correctB = 0, onlyA = 0, onlyB = 0;
        for (var i = 0; i < labels.Length; i++)
        {
            var a = predictionsA[i] == labels[i];
            var b = predictionsB[i] == labels[i];
            if (a) correctA++;
            if (b) correctB++;
            if (a && !b) onlyA++;
            if (b && !a) onlyB++;
        }
        var accA = ConfidenceIntervals.Wilson(correctA, labels.Length, level);
        var accB = ConfidenceIntervals.Wilson(correctB, labels.Length, level);
        var test = onlyA + onlyB < 25 ? HypothesisTests.McNemarExact(onlyA, onlyB) : HypothesisTests.McNemar(onlyA, onlyB);
        return new ModelComparisonResult(accA, accB, onlyA, onlyB, test, Verdict(accA, accB, onlyA, onlyB, test, alpha));
    }

    private static string Verdict(Interval a, Interval b, int onlyA, int onlyB, TestResult test, double alpha)
    {
        var figures = string.Create(CultureInfo.InvariantCulture,
            $"(accuracy {100 * a.Estimate:F1}% vs {100 * b.Estimate:F1}%; they disagree on {onlyA + onlyB} examples, {onlyA} won by A and {onlyB} by B; McNemar p = {test.PValue:G3})");
        if (!test.IsSignificant(alpha))
        {
            return string.Create(CultureInfo.InvariantCulture, $"No significant difference between model A and model B at the {alpha:G2} level {figures}.");
        }
        var better = onlyA > onlyB ? "A" : "B";
        var worse = better == "A" ? "B" : "A";
        return string.Create(CultureInfo.InvariantCulture, $"Model {better} is significantly more accurate than model {worse} at the {alpha:G2} level {figures}.");
    }

    private static int[] Classes(Tensor predictions, Tensor labels, string which)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        var p = predictions.Rank == labels.Rank + 1 ? predictions.ArgMax(-1) : predictions;
        if (p.Shape != labels.Shape)
        {
            throw new ArgumentException($"ModelComparison.Compare: predictions of model {which} have shape {predictions.Shape}; expected class indices {labels.Shape} or scores [{string.Join(", ", labels.Shape.ToArray())}, K].");
        }
        return Indices(p);
    }

    private static int[] Indices(Tensor t)
    {
        var values = t.Detach().ToArray();
        var result = new int[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            var v = values[i];
            result[i] = v == MathF.Floor(v) && float.IsFinite(v) ? (int)v : throw new ArgumentException($"ModelComparison.Compare: class indices must be whole numbers; got {v} at position {i}.");
        }
        return result;
    }
}
