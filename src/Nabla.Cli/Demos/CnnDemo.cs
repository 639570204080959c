using Nabla.Cli.Reports;
using Nabla.Data;
using Nabla.NN;
using Nabla.Optim;
using Nabla.Training;

namespace Nabla.Cli.Demos;

/// <summary>The digit recogniser: a small CNN on MNIST; the class with the highest probability is the answer.</summary>
internal sealed class CnnDemo : Demo
{
    public override string Name => "cnn";
    public override string Description => "a small CNN reads handwritten digits: test accuracy, confusion matrix, per-digit probabilities";

    /// <summary>conv(1→8, 3x3) → ReLU → maxpool 2 → conv(8→16, 3x3) → ReLU → maxpool 2 → linear(16·5·5 → 10): [N, 1, 28, 28] -> [N, 10].</summary>
    public static Sequential Build(Generator g) => new(
        new Conv2d(1, 8, kernelSize: 3, generator: g), new Relu(), new MaxPool2d(2),  // [N, 8, 13, 13]
        new Conv2d(8, 16, kernelSize: 3, generator: g), new Relu(), new MaxPool2d(2), // [N, 16, 5, 5]
        new Flatten(), new Linear(16 * 5 * 5, 10, generator: g));

    public override DemoResult Run(DemoContext context)
    {
        var (trainCount, testCount, epochs) = context.Quick ? (1000, 500, 2) : (8000, 2000, 4);
        var train = DemoDataB.Mnist(train: true, trainCount);
        var test = DemoDataB.Mnist(train: false, testCount);
        var model = Build(new Generator(context.Seed));
        var trainer = new Trainer(model, new Adam(model.Parameters(), 3e-3f), new CrossEntropyLoss(), [new Accuracy()]);
        var history = trainer.Fit(new DataLoader(train, 32, shuffle: true, seed: context.Seed), epochs);
        for (var e = 0; e < epochs; e++) context.Say($"   epoch {e + 1}: loss {history["loss"][e]:0.000}, train accuracy {history["accuracy"][e]:0.000}");

        var logits = trainer.Predict(test.Inputs);
        var probabilities = Functional.Softmax(logits, 1);
        var accuracy = DemoDataB.Accuracy(logits, test.Targets);
        var confusion = new ConfusionMatrix();
        confusion.Update(logits, test.Targets);
        context.Say($"   test accuracy on {testCount} unseen digits: {accuracy:0.000} (chance 0.100)");

        // A few test digits: the answer is the class with the highest probability.
        var shown = Math.Min(8, testCount);
        var captions = new List<string>();
        var truth = test.Targets.ToArray();
        for (var i = 0; i < shown; i++)
        {
            var p = probabilities.Select(0, i).ToArray();
            var best = Array.IndexOf(p, p.Max());
            var top = string.Join(" ", p.Select((v, d) => (v, d)).OrderByDescending(t => t.v).Take(3).Select(t => $"{t.d}:{t.v:0.00}"));
            context.Say($"   digit #{i}: true {truth[i]}, answer {best} (top probabilities {top})");
            captions.Add($"{best} ({p[best]:0.00}) / {truth[i]}");
        }
        var labels = Enumerable.Range(0, 10).Select(d => d.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        context.SaveChart("confusion.svg", SvgChart.Heatmap($"Confusion matrix (test accuracy {accuracy:0.000})", confusion.Counts, labels, labels, "actual", "predicted"));
        context.SaveChart("digits.svg", SvgChart.ImageGrid("answer (probability) / true", test.Inputs.Narrow(0, 0, shown), captions, columns: 4, scale: 3));
        return new DemoResult { ["test_accuracy"] = accuracy, ["final_loss"] = history["loss"][^1] };
    }
}
