using Nabla.Cli.Reports;
using Nabla.Data;
using Nabla.NN;
using Nabla.Optim;
using Nabla.Training;

namespace Nabla.Cli.Demos;

/// <summary>
/// Long-range memory: the label is the sign of the FIRST element of a noisy sequence, read out after the last step.
/// A plain tanh RNN's gradient through T steps shrinks like a product of T Jacobians, so it learns short sequences only;
/// the LSTM's additive cell state carries the sign (and its gradient) across the whole sequence.
/// </summary>
internal sealed class LstmDemo : Demo
{
    public override string Name => "lstm";
    public override string Description => "LSTM vs plain RNN: remembering the first element's sign over long sequences";

    public override DemoResult Run(DemoContext context) => LongMemoryComparison.Run(context, includeLstm: true);
}

/// <summary>The same comparison under the name of the plain RNN: where it succeeds (short sequences) and where it fails (long ones).</summary>
internal sealed class RnnDemo : Demo
{
    public override string Name => "rnn";
    public override string Description => "a plain RNN remembers the first element over short sequences but not long ones (see also: lstm)";

    public override DemoResult Run(DemoContext context) => LongMemoryComparison.Run(context, includeLstm: false);
}

internal static class LongMemoryComparison
{
    /// <summary>
    /// Sequences [N, T, 1] with x_t ~ U(-1, 1), except x_0 = ±1; the label is 1 when x_0 > 0. Every later element is noise
    /// the model has to carry the first value past.
    /// </summary>
    public static TensorDataset Make(int count, int length, Generator g)
    {
        var x = Tensor.Rand([count, length, 1], g) * 2f - 1f;
        var signs = Tensor.Bernoulli(0.5f, [count], g);
        var data = x.ToArray();
        var s = signs.ToArray();
        for (var i = 0; i < count; i++) data[i * length] = s[i] > 0 ? 1f : -1f;
        return new TensorDataset(Tensor.FromArray(data, count, length, 1), signs);
    }

    /// <summary>
    /// Forget-gate bias raised (+1 in Jozefowicz et al., 2015; +3 here): σ(3) ≈ 0.95 instead of 0.5, so the cell starts out remembering;
    /// gates are stacked [i, f, g, o], so f is the second block of bias_ih_l0.
    /// </summary>
    private static void OpenForgetGate(Lstm lstm, int hidden)
    {
        var bias = lstm.NamedParameters().First(p => p.Name == "bias_ih_l0").Parameter;
        using (Autograd.NoGrad()) bias.Narrow(0, hidden, hidden).FillInPlace(3f);
    }

    public static DemoResult Run(DemoContext context, bool includeLstm)
    {
        // NOTE: a small training budget on purpose: with thousands of sequences and many epochs even the plain RNN
        // eventually finds the long-range signal; the contrast is in how much the LSTM gets out of the same budget.
        var lengths = context.Quick ? new[] { 5, 30 } : new[] { 5, 15, 30 };
        var (trainCount, epochs, hidden) = (512, 6, 12);
        var models = includeLstm ? new[] { "rnn", "lstm" } : ["rnn"];
        var result = new DemoResult();
        var accuracies = models.ToDictionary(m => m, _ => new double[lengths.Length]);
        for (var li = 0; li < lengths.Length; li++)
        {
            var length = lengths[li];
            var train = Make(trainCount, length, new Generator(context.Seed + (ulong)length));
            var test = Make(512, length, new Generator(context.Seed + 1000 + (ulong)length));
            foreach (var name in models)
            {
                var g = new Generator(context.Seed + 7);
                Module cell = name == "lstm" ? new Lstm(1, hidden, batchFirst: true, generator: g) : new Rnn(1, hidden, batchFirst: true, generator: g);
                if (cell is Lstm lstm) OpenForgetGate(lstm, hidden);
                var model = new Sequential(cell, new LastTimeStep(batchFirst: true), new Linear(hidden, 2, generator: g)); // [N, T, 1] -> [N, 2]
                var trainer = new Trainer(model, new Adam(model.Parameters(), 1e-2f), new CrossEntropyLoss()) { ClipGradientNorm = 1f };
                trainer.Fit(new DataLoader(train, 32, shuffle: true, seed: context.Seed), epochs);
                var accuracy = DemoDataB.Accuracy(trainer.Predict(test.Inputs), test.Targets);
                accuracies[name][li] = accuracy;
                result[$"{name}_accuracy_T{length}"] = accuracy;
                context.Say($"   T = {length,2}  {name,-4}  test accuracy {accuracy:0.000}  (chance 0.5)");
            }
        }
        result["long_length"] = lengths[^1];
        var chart = SvgChart.Line("Remembering the first element's sign", xLabel: $"sequence length ({string.Join(", ", lengths)})", yLabel: "test accuracy");
        foreach (var (name, ys) in accuracies) chart.Series(name, ys);
        context.SaveChart("accuracy-by-length.svg", chart);
        context.Say($"   the RNN's gradient vanishes through the long chain of tanh steps{(includeLstm ? "; the LSTM's cell state carries it" : "")}.");
        return result;
    }
}
