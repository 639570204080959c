using Nabla.Cli.Reports;
using Nabla.Data;
using Nabla.NN;
using Nabla.Training;
using Nabla.Training.Tuning;

namespace Nabla.Cli.Demos;

/// <summary>
/// Hyperparameter search on iris: random search over learning rate, hidden width, activation and optimizer, each
/// configuration scored on held-out validation flowers; the ranked table shows how much the choices matter.
/// </summary>
internal sealed class TuningDemo : Demo
{
    public override string Name => "tuning";
    public override string Description => "random search over learning rate, hidden width, activation and optimizer on iris, scored on validation data";

    public override DemoResult Run(DemoContext context)
    {
        var table = Csv.Load(Path.Combine(DemoDataB.DataDirectory("iris"), "iris.csv"), "species");
        var labels = table.Targets.ToArray().Select(v => (int)v).ToArray();
        var (trainIdx, validIdx) = Splits.Stratified(labels, 0.3, context.Seed);
        var all = table.ToDataset();
        var train = all.Subset(trainIdx);
        var valid = all.Subset(validIdx);
        var scaler = Standardizer.Fit(train.Inputs); // fitted on the training part only
        train = new TensorDataset(scaler.Transform(train.Inputs), train.Targets);
        valid = new TensorDataset(scaler.Transform(valid.Inputs), valid.Targets);

        var space = new SearchSpace()
            .LogUniform("lr", 1e-4, 1e-1)
            .Choice("hidden", 4, 16, 64)
            .Choice("activation", "relu", "tanh", "sigmoid")
            .Choice("optimizer", "adam", "sgd");
        var trials = context.Quick ? 8 : 24;
        var epochs = context.Quick ? 15 : 40;
        var search = new RandomSearch(space, trials, epochs, context.Seed);
        var result = search.Run(config =>
        {
            var model = config.CreateMlp(4, 3, new Generator(context.Seed));
            return new Trainer(model, config.CreateOptimizer(model.Parameters()), new CrossEntropyLoss(), [new Accuracy()]);
        }, train, valid, metric: "val_accuracy", batchSize: 16, seed: context.Seed);

        context.Output.Write(result.Format(10));
        context.Say($"   best: {result.BestConfiguration} with validation accuracy {result.Best.Score:0.000}");
        var scores = result.Trials.Select(t => double.IsNaN(t.Score) ? 0 : t.Score).ToArray();
        context.SaveChart("trials.svg", SvgChart.Bar("Validation accuracy of each trial, best first",
            [.. result.Trials.Select((t, i) => $"#{i + 1}")], scores, yLabel: "accuracy"));
        return new DemoResult
        {
            ["trials"] = result.Trials.Count,
            ["best_accuracy"] = result.Best.Score,
            ["worst_accuracy"] = scores.Min(),
        };
    }
}
