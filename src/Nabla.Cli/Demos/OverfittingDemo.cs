using Nabla.Cli.Reports;
using Nabla.Data;
using Nabla.NN;
using Nabla.Optim;
using Nabla.Training;

namespace Nabla.Cli.Demos;

/// <summary>
/// A big MLP memorises a few hundred digits: training accuracy reaches 100% while the validation loss turns upward.
/// Then each cure is measured on the same data: L1, L2 (weight decay), dropout, early stopping, augmentation.
/// </summary>
internal sealed class OverfittingDemo : Demo
{
    public override string Name => "overfitting";
    public override string Description => "a big MLP on a few MNIST digits overfits (train/validation curves part); L1, L2, dropout, early stopping and augmentation measured";

    public override DemoResult Run(DemoContext context)
    {
        var quick = context.Quick;
        var source = Mnist.Load(DemoKitA.MnistDirectory(), train: true);
        var train = source.Subset([.. Enumerable.Range(0, quick ? 128 : 256)]);
        var validation = Mnist.Load(DemoKitA.MnistDirectory(), train: false).Subset([.. Enumerable.Range(0, quick ? 200 : 1000)]);
        var epochs = quick ? 25 : 60;
        var hidden = quick ? 96 : 256;
        var result = new DemoResult();
        context.Say($"   {train.Count} training digits, {validation.Count} validation digits, MLP 784-{hidden}-{hidden}-10, SGD+momentum, up to {epochs} epochs");

        var curves = SvgChart.Line("Baseline: training vs validation loss", "epoch", "cross-entropy").LogY().IntegerX();
        var gaps = new List<(string Label, double Gap)>();
        var cures = new (string Key, string Label, float Dropout, float L1, float L2, bool Early, bool Augment)[]
        {
            ("baseline", "no cure", 0f, 0f, 0f, false, false),
            ("l1", "L1 (3e-4)", 0f, 3e-4f, 0f, false, false),
            ("l2", "L2 / weight decay (5e-3)", 0f, 0f, 5e-3f, false, false),
            ("dropout", "dropout 0.5", 0.5f, 0f, 0f, false, false),
            ("early", "early stopping (patience 3)", 0f, 0f, 0f, true, false),
            ("augment", "augmentation (shift/rotate/zoom)", 0f, 0f, 0f, false, true),
        };
        foreach (var cure in cures)
        {
            var g = new Generator(context.Seed);
            var layers = new List<Module> { new Flatten(), new Linear(784, hidden, generator: g), new Relu() };
            if (cure.Dropout > 0) layers.Add(new Dropout(cure.Dropout, new Generator(context.Seed + 3)));
            layers.AddRange([new Linear(hidden, hidden, generator: g), new Relu()]);
            if (cure.Dropout > 0) layers.Add(new Dropout(cure.Dropout, new Generator(context.Seed + 4)));
            layers.Add(new Linear(hidden, 10, generator: g));
            var model = new Sequential([.. layers]);
            var optimizer = new Sgd(model.Parameters(), learningRate: 0.05f, momentum: 0.9f, weightDecay: cure.L2, l1: cure.L1);
            var trainer = new Trainer(model, optimizer, new CrossEntropyLoss(), [new Accuracy()]);
            var transform = cure.Augment ? new RandomAffine(degrees: 12f, translate: 0.1f, minScale: 0.9f, maxScale: 1.1f) : null;
            var loader = new DataLoader(train, batchSize: 32, shuffle: true, seed: context.Seed + 1, transform: transform);
            var validationLoader = new DataLoader(validation, batchSize: 500);
            var callbacks = cure.Early ? new Callback[] { new EarlyStopping("val_loss", patience: 3, restoreBestWeights: true) } : [];
            var history = trainer.Fit(loader, epochs, validationLoader, callbacks);
            var trainAccuracy = trainer.Evaluate(new DataLoader(train, batchSize: 500))["accuracy"];
            var valScores = trainer.Evaluate(validationLoader);
            var gap = trainAccuracy - valScores["accuracy"];
            context.Say($"   {cure.Label,-33}: train {trainAccuracy:P1}, validation {valScores["accuracy"]:P1} (gap {gap * 100:0.0} points), val loss {valScores["loss"]:0.000}, {history.Epochs.Count} epochs");
            result[cure.Key + "_train_accuracy"] = trainAccuracy;
            result[cure.Key + "_val_accuracy"] = valScores["accuracy"];
            result[cure.Key + "_val_loss"] = valScores["loss"];
            result[cure.Key + "_gap"] = gap;
            gaps.Add((cure.Label, gap));
            if (cure.Key == "baseline")
            {
                var valLoss = history["val_loss"];
                var best = Array.IndexOf(valLoss, valLoss.Min());
                result["baseline_best_epoch"] = best + 1;
                result["baseline_val_loss_rise"] = valLoss[^1] / valLoss[best];
                context.Say($"   overfitting detected: validation loss bottoms out at epoch {best + 1} ({valLoss[best]:0.000}) and ends at {valLoss[^1]:0.000} while the training loss keeps falling to {history["loss"][^1]:0.0000}");
                curves.Series("training", history["loss"]).Series("validation", history["val_loss"]);
            }
        }
        context.SaveChart("baseline-curves.svg", curves);
        context.SaveChart("train-validation-gap.svg", SvgChart.Bar("Train - validation accuracy (points)", [.. gaps.Select(p => p.Label)],
            [.. gaps.Select(p => p.Gap * 100)], yLabel: "gap (percentage points)"));
        return result;
    }
}
