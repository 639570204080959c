using Nabla.Data;
using Nabla.NN;
using Nabla.Optim;
using Nabla.Tests.Support;
using Nabla.Training;

namespace Nabla.Tests.Training;

public class CrossValidationTests
{
    internal static TensorDataset Iris() => Csv.Load(Repo.Path("data", "iris", "iris.csv"), "species").ToDataset();

    /// <summary>A 4-16-3 MLP for iris with a fixed initialisation.</summary>
    internal static Trainer IrisTrainer(ulong seed = 7, float learningRate = 0.05f)
    {
        var g = new Generator(seed);
        var model = new Sequential(new Linear(4, 16, generator: g), new Relu(), new Linear(16, 3, generator: g));
        return new Trainer(model, new Adam(model.Parameters(), learningRate), new CrossEntropyLoss(), [new Accuracy()]);
    }

    [Fact]
    public void A_small_mlp_classifies_iris_well_in_stratified_folds_standardised_per_fold()
    {
        var iris = Iris();
        var result = CrossValidation.Run(iris, folds: 5, () => IrisTrainer(), epochs: 25, batchSize: 16, seed: 3,
            stratified: true, prepare: CrossValidation.Standardize);

        Assert.Equal(5, result.Folds.Count);
        Assert.Equal(["val_loss", "val_accuracy"], result.Keys);
        Assert.True(result.Means["val_accuracy"] >= 0.9, result.Format());
        var labels = iris.Targets.ToArray();
        foreach (var fold in result.Folds)
        {
            // Stratified: 150 examples, 50 per class, so every validation part holds 10 of each class.
            Assert.Equal(30, fold.ValidationIndices.Count);
            for (var c = 0; c < 3; c++) Assert.Equal(10, fold.ValidationIndices.Count(i => labels[i] == c));
            Assert.Equal(24, fold.Epoch);
            Assert.Equal(fold.History["val_accuracy"][^1], fold.Metrics["val_accuracy"]);
        }
    }

    [Fact]
    public void Folds_are_disjoint_cover_the_data_and_are_reproducible_by_seed()
    {
        var data = TrainingData.Blobs(43, seed: 1);
        CrossValidationResult Run(ulong seed) =>
            CrossValidation.Run(data, folds: 4, () => TrainingData.Classifier(), epochs: 2, batchSize: 8, seed: seed);
        var first = Run(5);
        var again = Run(5);
        var other = Run(6);

        var validated = first.Folds.SelectMany(f => f.ValidationIndices).Order().ToArray();
        Assert.Equal(Enumerable.Range(0, 43), validated);
        foreach (var fold in first.Folds)
        {
            Assert.Empty(fold.TrainIndices.Intersect(fold.ValidationIndices));
            Assert.Equal(43, fold.TrainIndices.Count + fold.ValidationIndices.Count);
            Assert.InRange(fold.ValidationIndices.Count, 10, 11);
        }
        for (var f = 0; f < 4; f++)
        {
            Assert.Equal(first.Folds[f].ValidationIndices, again.Folds[f].ValidationIndices);
            Assert.Equal(first.Folds[f].Metrics, again.Folds[f].Metrics);
            Assert.Equal(first.Folds[f].History["loss"], again.Folds[f].History["loss"]);
        }
        Assert.NotEqual(first.Folds[0].ValidationIndices, other.Folds[0].ValidationIndices);
    }

    [Fact]
    public void Mean_and_sample_standard_deviation_are_computed_per_key()
    {
        // Hand-worked: 0.9, 0.8, 1.0 -> mean 0.9, std √((0 + 0.01 + 0.01) / 2) = 0.1.
        static FoldResult Fold(int f, double accuracy, double loss) =>
            new(f, [], [], 0, new Dictionary<string, double> { ["val_accuracy"] = accuracy, ["val_loss"] = loss }, new History(), 0);
        var result = new CrossValidationResult([Fold(0, 0.9, 0.3), Fold(1, 0.8, 0.5), Fold(2, 1.0, 0.1)]);
        Assert.Equal(0.9, result.Means["val_accuracy"], 12);
        Assert.Equal(0.1, result.StandardDeviations["val_accuracy"], 12);
        Assert.Equal(0.3, result.Means["val_loss"], 12);
        Assert.Equal(0.2, result.StandardDeviations["val_loss"], 12);
        Assert.Equal([0.9, 0.8, 1.0], result["val_accuracy"]);

        var lines = result.Format().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(6, lines.Length);
        Assert.Equal(["fold", "epoch", "val_accuracy", "val_loss", "seconds"], lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["mean", "0.9000", "0.3000"], lines[4].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["std", "0.1000", "0.2000"], lines[5].Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void With_a_monitor_each_fold_reports_its_best_epoch()
    {
        var data = TrainingData.Blobs(40, seed: 2);
        var result = CrossValidation.Run(data, folds: 2, () => TrainingData.Classifier(learningRate: 2f), epochs: 6, batchSize: 4, seed: 1, monitor: "val_loss");
        foreach (var fold in result.Folds)
        {
            var losses = fold.History["val_loss"];
            var best = Array.IndexOf(losses, losses.Min());
            Assert.Equal(best, fold.Epoch);
            Assert.Equal(losses[best], fold.Metrics["val_loss"]);
            Assert.Equal(fold.History["val_accuracy"][best], fold.Metrics["val_accuracy"]);
        }
    }

    [Fact]
    public void Standardize_uses_the_training_part_statistics_for_both_parts()
    {
        var x = Tensor.FromArray([1f, 10, 3, 20, 5, 30, 100, -5], 4, 2);
        var data = new TensorDataset(x, Tensor.Zeros(4));
        var (train, validation) = CrossValidation.Standardize(new Subset(data, [0, 1, 2]), new Subset(data, [3]));
        // Training rows (1, 10), (3, 20), (5, 30): means 3 and 20, biased stds √(8/3) and √(200/3).
        var validationRow = validation.GetBatch([0]).Input;
        Check.Close([(float)((100 - 3) / Math.Sqrt(8 / 3.0)), (float)((-5 - 20) / Math.Sqrt(200 / 3.0))], validationRow.Reshape(2), rtol: 1e-5);
        var trainInputs = train.GetBatch([0, 1, 2]).Input;
        Check.Close([0f, 0f], trainInputs.Mean(0), atol: 1e-6);
    }

    [Fact]
    public void Bad_uses_fail_clearly()
    {
        var regression = TrainingData.Regression(20, seed: 1);
        var e = Assert.Throws<ArgumentException>(() => CrossValidation.Run(regression, 2, () => TrainingData.Classifier(), 1, 4, stratified: true));
        Assert.Contains("class labels", e.Message);
        var shared = TrainingData.Classifier();
        var reused = Assert.Throws<ArgumentException>(() => CrossValidation.Run(TrainingData.Blobs(20, 1), 2, () => shared, 1, 4));
        Assert.Contains("fresh model", reused.Message);
        Assert.Throws<ArgumentException>(() => CrossValidation.Run(TrainingData.Blobs(20, 1), 1, () => TrainingData.Classifier(), 1, 4));
        Assert.Equal([0, 2, 1], CrossValidation.Labels(new TensorDataset(Tensor.Zeros(3, 2), Tensor.FromArray([0f, 2, 1], 3).OneHot(3))));
    }
}
