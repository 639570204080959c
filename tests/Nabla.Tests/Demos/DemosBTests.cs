using System.Globalization;
using System.Xml.Linq;
using Nabla.Cli.Demos;

namespace Nabla.Tests.Demos;

public class DemosBTests
{
    private static (DemoResult Result, string Directory, string Output) Run(Demo demo)
    {
        var dir = Path.Combine(Path.GetTempPath(), "nabla-demo-" + Guid.NewGuid().ToString("N"));
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        var result = demo.Run(new DemoContext(writer, dir, Quick: true));
        return (result, dir, writer.ToString());
    }

    private static void AssertCharts(string dir, params string[] files)
    {
        foreach (var file in files)
        {
            var path = Path.Combine(dir, file);
            Assert.True(File.Exists(path), $"missing chart {file}");
            Assert.Equal("svg", XDocument.Load(path).Root!.Name.LocalName);
        }
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public void Cnn_reads_digits_far_above_chance()
    {
        var (result, dir, output) = Run(new CnnDemo());
        Assert.True(result["test_accuracy"] > 0.8, $"test accuracy {result["test_accuracy"]}");
        Assert.Contains("answer", output, StringComparison.Ordinal);
        AssertCharts(dir, "confusion.svg", "digits.svg");
    }

    [Fact]
    public void Lstm_beats_the_plain_rnn_on_long_sequences()
    {
        var (result, dir, _) = Run(new LstmDemo());
        var longest = (int)result["long_length"];
        Assert.True(longest >= 30);
        Assert.True(result["lstm_accuracy_T5"] > 0.9 && result["rnn_accuracy_T5"] > 0.9, "both learn short sequences");
        Assert.True(result[$"lstm_accuracy_T{longest}"] > 0.85, $"lstm {result[$"lstm_accuracy_T{longest}"]}");
        Assert.True(result[$"lstm_accuracy_T{longest}"] > result[$"rnn_accuracy_T{longest}"] + 0.2, "LSTM clearly above RNN at the long length");
        AssertCharts(dir, "accuracy-by-length.svg");
    }

    [Fact]
    public void Rnn_remembers_short_sequences_only()
    {
        var (result, dir, _) = Run(new RnnDemo());
        var longest = (int)result["long_length"];
        Assert.False(result.ContainsKey("lstm_accuracy_T5"));
        Assert.True(result["rnn_accuracy_T5"] > 0.9);
        Assert.True(result[$"rnn_accuracy_T{longest}"] < 0.65, $"rnn at T = {longest}: {result[$"rnn_accuracy_T{longest}"]}");
        AssertCharts(dir, "accuracy-by-length.svg");
    }

    [Fact]
    public void Transfer_from_digits_0_to_4_beats_training_from_scratch_on_100_labels()
    {
        var (result, dir, _) = Run(new TransferLearningDemo());
        Assert.True(result["pretrain_accuracy"] > 0.9);
        Assert.True(result["frozen_accuracy"] > result["scratch_accuracy"] + 0.01, $"frozen {result["frozen_accuracy"]} vs scratch {result["scratch_accuracy"]}");
        Assert.True(result["finetuned_accuracy"] > result["scratch_accuracy"], $"fine-tuned {result["finetuned_accuracy"]} vs scratch {result["scratch_accuracy"]}");
        AssertCharts(dir, "accuracy.svg");
    }

    [Theory]
    [InlineData(new double[] { 1, 2, 3 }, new double[] { 4, 5 }, 1.0)]
    [InlineData(new double[] { 4, 5 }, new double[] { 1, 2, 3 }, 0.0)]
    [InlineData(new double[] { 1, 3 }, new double[] { 2, 4 }, 0.75)] // pairs (2>1), (2<3), (4>1), (4>3)
    [InlineData(new double[] { 1, 2 }, new double[] { 2 }, 0.75)]    // a tie counts half
    public void Auc_is_the_probability_an_anomaly_outscores_a_normal_example(double[] normal, double[] anomalies, double expected) =>
        Assert.Equal(expected, AutoencoderDemo.Auc(normal, anomalies), 12);

    [Fact]
    public void Autoencoder_reconstruction_error_separates_anomalies()
    {
        var (result, dir, _) = Run(new AutoencoderDemo());
        Assert.True(result["noise_auc"] > 0.8, $"noise AUC {result["noise_auc"]}");
        Assert.True(result["held_out_mse"] > result["test_mse"], "the unseen digit reconstructs worse");
        Assert.True(result["held_out_auc"] > 0.5);
        AssertCharts(dir, "reconstructions.svg");
    }

    [Fact]
    public void Gan_trains_with_finite_losses_and_moves_generated_brightness_towards_the_data()
    {
        var (result, dir, output) = Run(new GanDemo());
        Assert.Contains("d_loss", output, StringComparison.Ordinal);
        Assert.True(double.IsFinite(result["d_loss"]) && double.IsFinite(result["g_loss"]));
        var before = Math.Abs(result["generated_mean_before"] - result["data_mean"]);
        var after = Math.Abs(result["generated_mean_after"] - result["data_mean"]);
        Assert.True(after < before / 2, $"generated mean {result["generated_mean_before"]} -> {result["generated_mean_after"]}, data {result["data_mean"]}");
        AssertCharts(dir, "losses.svg", $"samples-epoch{(int)result["epochs"]}.svg");
    }

    [Fact]
    public void Svd_compression_keeps_accuracy_at_a_fraction_of_the_parameters()
    {
        var (result, dir, _) = Run(new SvdCompressionDemo());
        // Parameters of rank r: r·(in + out) per layer plus the biases, for 784-128-64-10 (r = 8 is below every in·out/(in + out)).
        Assert.Equal(8 * (784 + 128) + 128 + 8 * (128 + 64) + 64 + 8 * (64 + 10) + 10, result["rank8_parameters"]);
        Assert.Equal(784 * 128 + 128 + 128 * 64 + 64 + 64 * 10 + 10, result["original_parameters"]);
        Assert.True(result["rank16_accuracy"] > result["original_accuracy"] - 0.03, $"rank 16 {result["rank16_accuracy"]} vs {result["original_accuracy"]}");
        Assert.True(result["rank1_accuracy"] < result["original_accuracy"] - 0.3, "rank 1 loses most of the accuracy");
        AssertCharts(dir, "accuracy-vs-parameters.svg");
    }

    [Fact]
    public void Cross_validation_reports_per_fold_accuracy_with_its_mean_and_std()
    {
        var (result, dir, _) = Run(new CrossValidationDemo());
        var folds = Enumerable.Range(1, (int)result["folds"]).Select(i => result[$"fold{i}_accuracy"]).ToArray();
        var mean = folds.Average();
        Assert.Equal(mean, result["mean_accuracy"], 9);
        var spread = Math.Sqrt(folds.Sum(a => (a - mean) * (a - mean)) / folds.Length);
        var sampleSpread = Math.Sqrt(folds.Sum(a => (a - mean) * (a - mean)) / (folds.Length - 1));
        Assert.True(Math.Abs(result["std_accuracy"] - spread) < 1e-9 || Math.Abs(result["std_accuracy"] - sampleSpread) < 1e-9);
        Assert.True(mean > 0.85, $"mean accuracy {mean}");
        AssertCharts(dir, "folds.svg");
    }

    [Fact]
    public void Tuning_finds_a_configuration_far_better_than_the_worst()
    {
        var (result, dir, output) = Run(new TuningDemo());
        Assert.Equal(8, result["trials"]);
        Assert.True(result["best_accuracy"] >= 0.9, output);
        Assert.True(result["best_accuracy"] - result["worst_accuracy"] >= 0.2, output); // the choices matter
        Assert.Contains("best: ", output, StringComparison.Ordinal);
        AssertCharts(dir, "trials.svg");
    }

    [Fact]
    public void Attention_points_at_the_largest_number()
    {
        var (result, dir, output) = Run(new AttentionDemo());
        Assert.True(result["accuracy"] > 4 * result["chance"], output);
        AssertCharts(dir, "attention.svg", "loss.svg");
    }

    [Fact]
    public void Policy_gradient_balances_the_pole_longer_after_training()
    {
        var (result, dir, output) = Run(new ReinforcementLearningDemo());
        Assert.True(result["last_return"] > 2 * result["first_return"], output);
        AssertCharts(dir, "returns.svg");
    }

    [Fact]
    public void Cart_pole_physics_lets_an_unbalanced_pole_fall()
    {
        var env = new ReinforcementLearningDemo.CartPole(new Generator(1));
        env.Reset();
        var steps = 0;
        while (env.Step(1) && steps < 1000) steps++; // always pushing right tips the pole over within a second or two
        Assert.InRange(steps, 5, 100);
    }
}
