using Nabla.Cli.Reports;
using Nabla.NN;
using Nabla.Optim;

namespace Nabla.Cli.Demos;

/// <summary>The same network and data with three learning rates: too high diverges, too low crawls, a good one converges.</summary>
internal sealed class LearningRateDemo : Demo
{
    public override string Name => "learning-rate";
    public override string Description => "one MNIST network, three learning rates: too high diverges, too low crawls, a good one learns";

    public override DemoResult Run(DemoContext context)
    {
        var (x, y) = DemoKitA.Mnist(context.Quick ? 512 : 4096);
        var steps = context.Quick ? 80 : 400;
        var result = new DemoResult();
        var chart = SvgChart.Line("Training loss by learning rate (SGD, MNIST MLP)", "step", "cross-entropy").LogY();
        foreach (var (key, label, lr) in new[] { ("too_high", "too high (lr 20)", 20f), ("too_low", "too low (lr 0.0005)", 0.0005f), ("good", "good (lr 0.1)", 0.1f) })
        {
            var g = new Generator(context.Seed);
            var model = new Sequential(new Linear(784, 64, generator: g), new Relu(), new Linear(64, 10, generator: g));
            var losses = DemoKitA.TrainClassifier(model, new Sgd(model.Parameters(), learningRate: lr), x, y, steps, batchSize: 64, context.Seed + 1);
            chart.Series(label, losses);
            var last = losses.Skip(steps - 10).Average();  // the mean of the last 10 steps smooths mini-batch noise
            var finite = losses.All(double.IsFinite);
            context.Say($"   {label,-20}: loss {losses[0]:0.000} -> {(finite ? last.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture) : "NaN")} (max {losses.Where(double.IsFinite).DefaultIfEmpty(double.NaN).Max():0.0e+0})");
            result[key + "_first"] = losses[0];
            result[key + "_last"] = finite ? last : double.PositiveInfinity;
            result[key + "_max"] = finite ? losses.Max() : double.PositiveInfinity;
        }
        context.SaveChart("learning-rates.svg", chart);
        return result;
    }
}
