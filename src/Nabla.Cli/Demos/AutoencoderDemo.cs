using Nabla.Cli.Reports;
using Nabla.Data;
using Nabla.NN;
using Nabla.Optim;
using Nabla.Training;

namespace Nabla.Cli.Demos;

/// <summary>
/// An MLP autoencoder squeezes 784 pixels through 16 numbers and back. What it was trained on it reconstructs well;
/// anything else (a digit it never saw, random noise) comes back blurred, so reconstruction error is an anomaly score.
/// </summary>
internal sealed class AutoencoderDemo : Demo
{
    private const int HeldOutDigit = 4;

    public override string Name => "autoencoder";
    public override string Description => "an autoencoder compresses digits 784 -> 16; reconstruction error detects anomalies (ROC AUC)";

    public override DemoResult Run(DemoContext context)
    {
        var (trainCount, epochs) = context.Quick ? (1500, 4) : (8000, 15);
        var normal = Enumerable.Range(0, 10).Where(d => d != HeldOutDigit).ToArray();
        var train = Flat(DemoDataB.Mnist(train: true, trainCount, normal));
        var g = new Generator(context.Seed);
        // [N, 784] -> code [N, 16] -> [N, 784] in [0, 1]
        var model = new Sequential(
            new Linear(784, 128, generator: g), new Relu(), new Linear(128, 16, generator: g),
            new Relu(), new Linear(16, 128, generator: g), new Relu(), new Linear(128, 784, generator: g), new Sigmoid());
        var trainer = new Trainer(model, new Adam(model.Parameters(), 2e-3f), new MseLoss());
        var history = trainer.Fit(new DataLoader(new TensorDataset(train, train), 32, shuffle: true, seed: context.Seed), epochs);
        context.Say($"   trained on {train.Shape[0]} digits (all but {HeldOutDigit}), 784 -> 16 -> 784: training MSE {history["loss"][0]:0.0000} -> {history["loss"][^1]:0.0000}");

        var testNormal = Flat(DemoDataB.Mnist(train: false, 500, normal));
        var testHeldOut = Flat(DemoDataB.Mnist(train: false, 200, [HeldOutDigit]));
        // Salt noise: black and white pixels like a digit's, with the same mean brightness, but no strokes.
        var noise = Tensor.Bernoulli(testNormal.Mean().Item(), [200, 784], new Generator(context.Seed + 1));
        var normalErrors = Errors(trainer, testNormal);
        var heldOutErrors = Errors(trainer, testHeldOut);
        var noiseErrors = Errors(trainer, noise);
        var result = new DemoResult
        {
            ["test_mse"] = normalErrors.Average(),
            ["held_out_mse"] = heldOutErrors.Average(),
            ["noise_mse"] = noiseErrors.Average(),
            ["held_out_auc"] = Auc(normalErrors, heldOutErrors),
            ["noise_auc"] = Auc(normalErrors, noiseErrors),
        };
        context.Say($"   reconstruction MSE: seen digits {result["test_mse"]:0.0000}, unseen digit {HeldOutDigit} {result["held_out_mse"]:0.0000}, noise images {result["noise_mse"]:0.0000}");
        context.Say($"   anomaly detection by reconstruction error, ROC AUC: digit {HeldOutDigit} vs the rest {result["held_out_auc"]:0.000}, noise vs digits {result["noise_auc"]:0.000} (0.5 = chance)");

        var shown = testNormal.Narrow(0, 0, 6);
        var images = Tensor.Concat([shown, trainer.Predict(shown), testHeldOut.Narrow(0, 0, 6), trainer.Predict(testHeldOut.Narrow(0, 0, 6))], 0).Reshape(-1, 1, 28, 28);
        var captions = new[] { "original", "reconstructed", $"unseen {HeldOutDigit}", "reconstructed" }.SelectMany(c => Enumerable.Repeat(c, 6)).ToList();
        context.SaveChart("reconstructions.svg", SvgChart.ImageGrid("Originals and reconstructions through 16 numbers", images, captions, columns: 6, scale: 2));
        return result;
    }

    private static Tensor Flat(TensorDataset data) => data.Inputs.Reshape(data.Count, 784);

    /// <summary>Per-image mean squared reconstruction error.</summary>
    private static double[] Errors(Trainer trainer, Tensor x) =>
        [.. (trainer.Predict(x) - x).Pow(2f).Mean([1]).ToArray().Select(v => (double)v)];

    /// <summary>
    /// ROC AUC of "higher score = anomaly": the probability that a random anomaly scores above a random normal example
    /// (ties count half), i.e. the Mann-Whitney U statistic divided by n·m.
    /// </summary>
    internal static double Auc(IReadOnlyList<double> normalScores, IReadOnlyList<double> anomalyScores)
    {
        if (normalScores.Count == 0 || anomalyScores.Count == 0) throw new ArgumentException("Auc: both score lists must be non-empty.");
        double wins = 0;
        foreach (var a in anomalyScores)
        foreach (var n in normalScores) wins += a > n ? 1 : a == n ? 0.5 : 0;
        return wins / ((double)normalScores.Count * anomalyScores.Count);
    }
}
