using System.Xml.Linq;
using Nabla.Cli.Demos;

namespace Nabla.Tests.Demos;

/// <summary>Each demo of docs/demos-a.md runs at Quick size and shows the effect it claims.</summary>
public sealed class DemosATests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "nabla-demos-a-" + Guid.NewGuid().ToString("N"));
    private readonly StringWriter _output = new();

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
        _output.Dispose();
    }

    private DemoResult Run(Demo demo, params string[] charts)
    {
        var result = demo.Run(new DemoContext(_output, _dir, Quick: true));
        foreach (var chart in charts)
        {
            var path = Path.Combine(_dir, chart);
            Assert.True(File.Exists(path), $"{demo.Name}: chart {chart} was not written");
            Assert.Equal("svg", XDocument.Load(path).Root!.Name.LocalName);
        }
        Assert.NotEmpty(_output.ToString());
        return result;
    }

    [Fact]
    public void Perceptron_learns_separable_students_and_sigmoid_neuron_agrees()
    {
        var r = Run(new PerceptronDemo(), "perceptron-errors.svg", "sigmoid-loss.svg");
        // Novikoff: on separable data the rule ends with an epoch without errors.
        Assert.Equal(0, r["perceptron_final_errors"]);
        Assert.Equal(1.0, r["perceptron_accuracy"]);
        Assert.True(r["sigmoid_final_loss"] < r["sigmoid_first_loss"] / 2);
        Assert.True(r["sigmoid_accuracy"] >= 0.9, $"sigmoid accuracy {r["sigmoid_accuracy"]}");
        Assert.True(r["p_hard_worker"] > 0.5 && r["p_player"] < 0.5);
    }

    [Fact]
    public void Perceptron_students_follow_the_stated_rule()
    {
        // Reference: the labelling rule from the demo's summary, recomputed here.
        var (x, y) = PerceptronDemo.Students(50, new Generator(3));
        var rows = x.ToArray();
        var labels = y.ToArray();
        for (var i = 0; i < 50; i++)
        {
            var score = rows[3 * i] - 0.8 * rows[3 * i + 1] + 0.5 * rows[3 * i + 2] - 5;
            Assert.True(Math.Abs(score) >= 0.5 - 1e-5);
            Assert.Equal(score > 0 ? 1f : 0f, labels[i]);
        }
    }

    [Fact]
    public void Xor_defeats_one_neuron_but_not_a_hidden_layer()
    {
        var r = Run(new XorDemo(), "xor-loss.svg");
        // A line separates at most 3 of the 4 XOR points.
        Assert.True(r["neuron_accuracy"] <= 0.75);
        Assert.True(r["neuron_final_loss"] > 0.6);
        Assert.Equal(1.0, r["net_accuracy"]);
        Assert.True(r["net_final_loss"] < 0.05);
    }

    [Fact]
    public void Height_regression_matches_hand_calculation_and_fits_the_children()
    {
        var r = Run(new HeightRegressionDemo(), "height-fit.svg", "height-loss.svg");
        // Errors -5, 5, 2, 2, 3: MSE = 67/5, RMSE = sqrt(13.4), MAE = 17/5.
        Assert.Equal(13.4, r["example_mse"], 4);
        Assert.Equal(Math.Sqrt(13.4), r["example_rmse"], 4);
        Assert.Equal(3.4, r["example_mae"], 4);
        // The noise has sd 6 cm, so no model can do much better than RMSE 6; a good one gets close.
        Assert.InRange(r["test_rmse"], 4.5, 7.5);
        Assert.True(r["test_mae"] < r["test_rmse"]);
        Assert.True(r["test_r2"] > 0.9, $"R² {r["test_r2"]}");
    }

    [Fact]
    public void Apple_vs_orange_boundary_separates_the_classes()
    {
        var r = Run(new AppleVsOrangeDemo(), "apple-vs-orange.svg");
        Assert.True(r["test_accuracy"] > 0.9, $"test accuracy {r["test_accuracy"]}");
        // Apples are redder and less round: the weights must say so.
        Assert.True(r["weight_redness"] > 0 && r["weight_roundness"] < 0);
        // The class means (0.7, 0.4) and (0.35, 0.7) lie on opposite sides of the boundary.
        double Side(double red, double round) => r["weight_redness"] * red + r["weight_roundness"] * round + r["bias"];
        Assert.True(Side(0.7, 0.4) > 0 && Side(0.35, 0.7) < 0);
    }

    [Fact]
    public void Vanishing_gradients_deep_sigmoid_starves_its_first_layer()
    {
        var r = Run(new VanishingGradientsDemo(), "gradient-norms.svg");
        Assert.True(r["sigmoid_ratio"] < 1e-3, $"sigmoid first/last {r["sigmoid_ratio"]}");
        Assert.True(r["sigmoid_first"] < r["relu_first"] / 100, $"sigmoid {r["sigmoid_first"]} vs relu {r["relu_first"]}");
        Assert.True(r["relu_ratio"] > 1e-3, $"relu first/last {r["relu_ratio"]}");
    }

    [Fact]
    public void Dead_relu_large_learning_rate_kills_units()
    {
        var r = Run(new DeadReluDemo(), "dead-units.svg");
        Assert.True(r["relu_high"] > 0.4, $"dead fraction at lr 2: {r["relu_high"]}");
        Assert.True(r["relu_sane"] < 0.1, $"dead fraction at lr 0.05: {r["relu_sane"]}");
        Assert.True(r["leaky_sane"] < 0.1, $"leaky dead fraction: {r["leaky_sane"]}");
        Assert.True(r["relu_sane_accuracy"] > r["relu_high_accuracy"]);
    }

    [Fact]
    public void Learning_rate_too_high_diverges_too_low_crawls()
    {
        var r = Run(new LearningRateDemo(), "learning-rates.svg");
        Assert.True(r["too_high_max"] > 10 * r["too_high_first"], $"lr too high: max {r["too_high_max"]}");
        Assert.True(r["too_low_last"] > 0.9 * r["too_low_first"], $"lr too low: {r["too_low_first"]} -> {r["too_low_last"]}");
        Assert.True(r["good_last"] < 0.5 * r["good_first"], $"good lr: {r["good_first"]} -> {r["good_last"]}");
    }

    [Fact]
    public void Gradient_descent_variants_more_updates_and_adaptive_rules_win()
    {
        var r = Run(new GradientDescentDemo(), "batch-sizes.svg", "optimizers.svg");
        // Same number of epochs: mini-batches take many more steps and get further than one full batch per epoch.
        Assert.True(r["minibatch_loss"] < r["batch_loss"]);
        Assert.True(r["stochastic_steps"] > r["minibatch_steps"] && r["minibatch_steps"] > r["batch_steps"]);
        Assert.True(r["momentum_loss"] < r["sgd_loss"]);
        Assert.True(r["adam_loss"] < r["sgd_loss"]);
    }

    [Fact]
    public void Overfitting_is_detected_and_cures_narrow_the_gap()
    {
        var r = Run(new OverfittingDemo(), "baseline-curves.svg", "train-validation-gap.svg");
        Assert.Equal(1.0, r["baseline_train_accuracy"]);
        Assert.True(r["baseline_gap"] > 0.1, $"baseline gap {r["baseline_gap"]}");
        Assert.True(r["baseline_val_loss_rise"] > 1.1, $"validation loss rise {r["baseline_val_loss_rise"]}");
        // Every cure ends with a lower validation loss than the unchecked model; early stopping keeps the best epoch's weights.
        foreach (var cure in new[] { "l1", "l2", "dropout", "early", "augment" })
        {
            Assert.True(r[cure + "_val_loss"] < r["baseline_val_loss"], $"{cure}: val loss {r[cure + "_val_loss"]} vs baseline {r["baseline_val_loss"]}");
        }
        Assert.True(r["augment_gap"] < r["baseline_gap"]);
    }

    [Fact]
    public void Batchnorm_trains_faster_and_uses_running_statistics_in_eval()
    {
        var r = Run(new BatchNormDemo(), "batchnorm-loss.svg");
        Assert.True(r["batchnorm_loss"] < r["plain_loss"], $"with {r["batchnorm_loss"]}, without {r["plain_loss"]}");
        Assert.True(r["eval_alone_vs_batch"] < 1e-4);
        Assert.True(r["train_vs_eval"] > 1e-3);
    }
}
