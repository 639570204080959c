using Nabla.Training;

namespace Nabla.Tests.Training;

/// <summary>Metrics against values worked out by hand (in the comments) and against plain reference loops.</summary>
public class MetricTests
{
    private static double Score(Metric metric, params (Tensor Prediction, Tensor Target)[] batches)
    {
        metric.Reset();
        foreach (var (p, t) in batches) metric.Update(p, t);
        return metric.Result();
    }

    private static Tensor Rows(float[,] values) => Tensor.From(values);

    [Fact]
    public void Accuracy_counts_argmax_hits_over_all_batches_with_labels_or_one_hot_targets()
    {
        // Predicted classes 0, 1, 0 (a tie goes to the first class), 2; labels 0, 2, 1, 2: two hits out of four.
        var scores = Rows(new float[,] { { 2, 1, 0 }, { 0, 3, 1 }, { 1, 1, 0 }, { 0, 0, 5 } });
        var labels = Tensor.FromArray([0f, 2, 1, 2], 4);
        Assert.Equal(0.5, Score(new Accuracy(), (scores, labels)));
        Assert.Equal(0.5, Score(new Accuracy(), (scores, labels.OneHot(3))));
        // Split into batches of 1 and 3: the same count.
        Assert.Equal(0.5, Score(new Accuracy(), (scores.Narrow(0, 0, 1), labels.Narrow(0, 0, 1)), (scores.Narrow(0, 1, 3), labels.Narrow(0, 1, 3))));
        Assert.True(double.IsNaN(new Accuracy().Result()));
    }

    public static TheoryData<float[], BinaryScores, float[], double> BinaryCases() => new()
    {
        // Probabilities (all in [0, 1]) threshold at 0.5: predicted 0, 1, 1, 1 vs 0, 1, 0, 0.
        { [0.2f, 0.7f, 0.5f, 0.9f], BinaryScores.Auto, [0, 1, 0, 0], 0.5 },
        // Logits (some outside [0, 1]) threshold at 0: predicted 0, 1, 1, 0 vs 0, 1, 1, 1.
        { [-1.2f, 0.8f, 3f, -0.1f], BinaryScores.Auto, [0, 1, 1, 1], 0.75 },
        // Logits that all lie in [0, 1] are all class 1 (sigmoid > 0.5) once declared as logits: 4 of 4.
        { [0.1f, 0.3f, 0f, 0.9f], BinaryScores.Logits, [1, 1, 1, 1], 1.0 },
        // ... and as probabilities only 0.9 reaches 0.5.
        { [0.1f, 0.3f, 0f, 0.9f], BinaryScores.Probabilities, [1, 1, 1, 1], 0.25 },
        // Declared probabilities are thresholded at 0.5 even beside out-of-range values: predicted 1, 0, 1, 0.
        { [1.5f, -0.2f, 0.5f, 0.49f], BinaryScores.Probabilities, [1, 0, 1, 1], 0.75 },
    };

    [Theory]
    [MemberData(nameof(BinaryCases))]
    public void Binary_scores_are_read_as_probabilities_or_logits(float[] scores, BinaryScores kind, float[] labels, double expected)
    {
        var target = Tensor.FromArray(labels, labels.Length);
        Assert.Equal(expected, Score(new Accuracy(kind), (Tensor.FromArray(scores, scores.Length), target)));
        Assert.Equal(expected, Score(new Accuracy(kind), (Tensor.FromArray(scores, scores.Length, 1), target.Reshape(-1, 1))));
    }

    [Fact]
    public void TopK_counts_the_target_among_the_k_best_with_ties_going_to_the_lower_index()
    {
        // Row 0: label 2 ties with class 1 at 3; class 1 comes first, so label 2 is second: a top-2 hit, not a top-1 hit.
        // Row 1: label 0 is the best. Row 2: label 3 has the lowest score, fourth. Row 3: all tie; label 1 is second.
        var scores = Rows(new float[,] { { 1, 3, 3, 0 }, { 5, 1, 2, 3 }, { 4, 3, 2, 1 }, { 1, 1, 1, 1 } });
        var labels = Tensor.FromArray([2f, 0, 3, 1], 4);
        Assert.Equal(0.25, Score(new TopKAccuracy(1), (scores, labels)));
        Assert.Equal(0.75, Score(new TopKAccuracy(2), (scores, labels)));
        Assert.Equal(0.75, Score(new TopKAccuracy(3), (scores, labels)));
        Assert.Equal(1.0, Score(new TopKAccuracy(4), (scores, labels)));
        Assert.Equal(0.75, Score(new TopKAccuracy(2), (scores, labels.OneHot(4))));
        Assert.Equal("top3_accuracy", Metric.Create("top3_accuracy").Name);
        Assert.Throws<ArgumentException>(() => Score(new TopKAccuracy(1), (scores, Tensor.FromArray([0f, 0, 4, 0], 4))));
    }

    [Fact]
    public void TopK_matches_a_stable_sort_and_top1_matches_accuracy_on_random_scores_with_ties()
    {
        var g = new Generator(11);
        // Scores rounded to whole numbers in [0, 3] make ties common.
        var scores = (Tensor.Rand([200, 6], g) * 4f).Clamp(0f, 3.999f).ToArray().Select(MathF.Floor).ToArray();
        var labels = Enumerable.Range(0, 200).Select(_ => (float)g.NextInt64(0, 6)).ToArray();
        var prediction = Tensor.FromArray(scores, 200, 6);
        var target = Tensor.FromArray(labels, 200);
        for (var k = 1; k <= 6; k++)
        {
            var hits = 0;
            for (var i = 0; i < 200; i++)
            {
                // Enumerable.OrderByDescending is stable: equal scores keep their class order.
                var ranked = Enumerable.Range(0, 6).OrderByDescending(j => scores[i * 6 + j]).ToList();
                hits += ranked.IndexOf((int)labels[i]) < k ? 1 : 0;
            }
            Assert.Equal(hits / 200.0, Score(new TopKAccuracy(k), (prediction, target)));
        }
        Assert.Equal(Score(new Accuracy(), (prediction, target)), Score(new TopKAccuracy(1), (prediction, target)));
    }

    /// <summary>
    /// The worked example: counts[actual, predicted] = [[3, 1, 0], [0, 2, 0], [2, 1, 1]].
    /// Precision per class (column): 3/5, 2/4, 1/1, macro 0.7. Recall per class (row): 3/4, 2/2, 1/4, macro 2/3.
    /// F1 per class: 2·0.6·0.75/1.35 = 2/3, 2·0.5·1/1.5 = 2/3, 2·1·0.25/1.25 = 0.4, macro 26/45. Accuracy 6/10.
    /// </summary>
    private static (Tensor Scores, Tensor Labels) WorkedExample(int columns)
    {
        int[] actual = [0, 0, 0, 0, 1, 1, 2, 2, 2, 2];
        int[] predicted = [0, 0, 0, 1, 1, 1, 0, 0, 1, 2];
        var scores = new float[actual.Length, columns];
        for (var i = 0; i < actual.Length; i++) scores[i, predicted[i]] = 1f;
        return (Tensor.From(scores), Tensor.FromArray([.. actual.Select(a => (float)a)], actual.Length));
    }

    [Fact]
    public void ConfusionMatrix_precision_recall_and_f1_match_the_worked_example()
    {
        var (scores, labels) = WorkedExample(3);
        var matrix = new ConfusionMatrix();
        matrix.Update(scores.Narrow(0, 0, 4), labels.Narrow(0, 0, 4));
        matrix.Update(scores.Narrow(0, 4, 6), labels.Narrow(0, 4, 6));
        Assert.Equal(new long[,] { { 3, 1, 0 }, { 0, 2, 0 }, { 2, 1, 1 } }, matrix.Counts);
        Assert.Equal(0.6, matrix.Result(), 12);
        var (precision, recall, f1) = matrix.PerClass();
        Assert.Equal([0.6, 0.5, 1.0], precision.Select(v => Math.Round(v, 12)));
        Assert.Equal([0.75, 1.0, 0.25], recall.Select(v => Math.Round(v, 12)));
        Assert.Equal([2 / 3.0, 2 / 3.0, 0.4], f1.Select(v => Math.Round(v, 12)), new ToleranceComparer(1e-12));
        Assert.Equal(0.7, Score(new Precision(), (scores, labels)), 12);
        Assert.Equal(2 / 3.0, Score(new Recall(), (scores, labels)), 12);
        Assert.Equal(26 / 45.0, Score(new F1Score(), (scores, labels)), 12);
        Assert.Contains(">= 0", Assert.Throws<ArgumentException>(() => matrix.Update(scores.Narrow(0, 0, 1), Tensor.FromArray([-1f], 1))).Message);
        var table = matrix.Format(["setosa", "versicolor", "virginica"]).Split(Environment.NewLine);
        Assert.Equal(4, table.Length);
        Assert.StartsWith("virginica", table[3]);
        Assert.Equal(["2", "1", "1"], table[3].Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..]);
    }

    [Fact]
    public void Macro_averages_skip_classes_that_never_occur()
    {
        // Five score columns, but classes 3 and 4 are neither targets nor predictions: the averages stay those of three classes.
        var (scores, labels) = WorkedExample(5);
        Assert.Equal(0.7, Score(new Precision(), (scores, labels)), 12);
        Assert.Equal(2 / 3.0, Score(new Recall(), (scores, labels)), 12);
        Assert.Equal(26 / 45.0, Score(new F1Score(), (scores, labels)), 12);
        // A class that is predicted but never a target does count, with precision 0.
        var extra = Tensor.Concat([scores, Tensor.FromArray([0f, 0, 0, 1, 0], 1, 5)]);
        var extraLabels = Tensor.Concat([labels, Tensor.FromArray([0f], 1)]);
        // Precision: 3/5, 2/4, 1/1, 0/1 -> 2.1/4.
        Assert.Equal(2.1 / 4, Score(new Precision(), (extra, extraLabels)), 12);
    }

    [Fact]
    public void Regression_metrics_match_hand_computed_values()
    {
        // Errors p − t = −0.5, 0, 1, −1: MAE 2.5/4 = 0.625; MSE 2.25/4 = 0.5625, RMSE 0.75.
        // Mean target 2.625, SS_tot = 1.125² + 0.625² + 0.625² + 2.375² = 7.6875, R² = 1 − 2.25/7.6875.
        var p = Tensor.FromArray([1f, 2, 3, 4], 4, 1);
        var t = Tensor.FromArray([1.5f, 2, 2, 5], 4, 1);
        Assert.Equal(0.625, Score(new MeanAbsoluteError(), (p, t)), 12);
        Assert.Equal(0.75, Score(new RootMeanSquaredError(), (p, t)), 12);
        Assert.Equal(1 - 2.25 / 7.6875, Score(new RSquared(), (p, t)), 12);
        // Accumulated over two batches, the same.
        Assert.Equal(1 - 2.25 / 7.6875, Score(new RSquared(), (p.Narrow(0, 0, 1), t.Narrow(0, 0, 1)), (p.Narrow(0, 1, 3), t.Narrow(0, 1, 3))), 12);
        Assert.Equal(1.0, Score(new RSquared(), (t, t)));
        Assert.Throws<ArgumentException>(() => Score(new MeanAbsoluteError(), (p, Tensor.Zeros(3))));
    }

    [Fact]
    public void Metrics_are_created_by_name()
    {
        foreach (var name in Metric.Names) Assert.Equal(name, Metric.Create(name).Name);
        Assert.False(Metric.Create("rmse").HigherIsBetter);
        Assert.Contains("accuracy", Assert.Throws<ArgumentException>(() => Metric.Create("auc")).Message);
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;
        public int GetHashCode(double obj) => 0;
    }
}
