using Nabla.Cli.Reports;
using Nabla.Data;
using Nabla.NN;
using Nabla.Optim;
using Nabla.Training;

namespace Nabla.Cli.Demos;

/// <summary>
/// Stratified k-fold cross-validation on iris: every flower is used for validation exactly once, and the spread of the
/// per-fold accuracies shows how much one lucky or unlucky split could mislead.
/// </summary>
internal sealed class CrossValidationDemo : Demo
{
    public override string Name => "cross-validation";
    public override string Description => "stratified 5-fold cross-validation of an MLP on iris: per-fold accuracy, mean and std";

    public override DemoResult Run(DemoContext context)
    {
        var table = Csv.Load(Path.Combine(DemoDataB.DataDirectory("iris"), "iris.csv"), "species");
        // NOTE: standardised on all 150 rows for brevity; the statistics of 4 features barely differ between folds.
        var data = new TensorDataset(Standardizer.Fit(table.Features).Transform(table.Features), table.Targets);
        var classes = table.Classes?.Count ?? 3;
        const int folds = 5;
        var epochs = context.Quick ? 30 : 100;
        var fold = 0;
        Trainer MakeTrainer()
        {
            var g = new Generator(context.Seed + (ulong)fold++);
            var model = new Sequential(new Linear(4, 16, generator: g), new Relu(), new Linear(16, classes, generator: g)); // [N, 4] -> [N, 3]
            return new Trainer(model, new Adam(model.Parameters(), 1e-2f), new CrossEntropyLoss(), [new Accuracy()]);
        }
        var cv = CrossValidation.Run(data, folds, MakeTrainer, epochs, batchSize: 16, seed: context.Seed, stratified: true);
        var accuracies = cv["val_accuracy"];
        for (var i = 0; i < accuracies.Length; i++) context.Say($"   fold {i + 1}: validation accuracy {accuracies[i]:0.000} ({cv.Folds[i].ValidationIndices.Count} flowers)");
        var (mean, std) = (cv.Means["val_accuracy"], cv.StandardDeviations["val_accuracy"]);
        context.Say($"   mean {mean:0.000} ± {std:0.000} (std over {folds} folds)");
        var labels = Enumerable.Range(1, folds).Select(i => $"fold {i}").ToList();
        context.SaveChart("folds.svg", SvgChart.Bar($"Validation accuracy per fold (mean {mean:0.000} ± {std:0.000})", labels, accuracies, yLabel: "accuracy"));
        var result = new DemoResult { ["mean_accuracy"] = mean, ["std_accuracy"] = std, ["folds"] = folds };
        for (var i = 0; i < accuracies.Length; i++) result[$"fold{i + 1}_accuracy"] = accuracies[i];
        return result;
    }
}
