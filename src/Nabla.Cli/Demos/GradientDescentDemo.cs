using System.Diagnostics;
using Nabla.Cli.Reports;
using Nabla.NN;
using Nabla.Optim;

namespace Nabla.Cli.Demos;

/// <summary>
/// Batch, mini-batch and stochastic gradient descent for the same number of passes over the data, then five update
/// rules (SGD, momentum, RMSProp, Adagrad, Adam) for the same number of mini-batch steps, all on one MNIST MLP.
/// </summary>
internal sealed class GradientDescentDemo : Demo
{
    public override string Name => "gradient-descent";
    public override string Description => "batch vs mini-batch vs stochastic gradient descent, and SGD vs momentum vs RMSProp vs Adagrad vs Adam, on one MNIST MLP";

    public override DemoResult Run(DemoContext context)
    {
        var n = context.Quick ? 256 : 2048;
        var (x, y) = DemoKitA.Mnist(n);
        var result = new DemoResult();

        // Part 1: same epochs, different batch sizes; more (noisier) updates per pass usually win.
        var epochs = context.Quick ? 2 : 3;
        var sizes = new Chart();
        context.Say($"   part 1: {epochs} passes over {n} digits with SGD (lr 0.05), batch sizes {n} / 32 / 1");
        foreach (var (key, label, batch) in new[] { ("batch", $"batch (all {n})", n), ("minibatch", "mini-batch (32)", 32), ("stochastic", "stochastic (1)", 1) })
        {
            var model = Mlp(context.Seed);
            var watch = Stopwatch.StartNew();
            var steps = epochs * (n / batch);
            DemoKitA.TrainClassifier(model, new Sgd(model.Parameters(), learningRate: 0.05f), x, y, steps, batch, context.Seed + 1);
            watch.Stop();
            var loss = DemoKitA.Loss(model, x, y);
            context.Say($"   {label,-20}: {steps,6} steps, {watch.Elapsed.TotalSeconds,5:0.00} s, full training loss {loss:0.000}");
            result[key + "_loss"] = loss;
            result[key + "_steps"] = steps;
            sizes.Labels.Add(label);
            sizes.Values.Add(loss);
        }
        context.SaveChart("batch-sizes.svg", SvgChart.Bar($"Training loss after {epochs} epochs by batch size", sizes.Labels, sizes.Values, yLabel: "cross-entropy"));

        // Part 2: same steps and batches, different update rules (each with a customary learning rate).
        var stepCount = context.Quick ? 80 : 400;
        context.Say($"   part 2: {stepCount} mini-batch steps (batch 32) per optimizer");
        var chart = SvgChart.Line("Training loss by optimizer (same batches)", "step", "cross-entropy (moving mean of 10 steps)").LogY();
        var optimizers = new (string Key, string Label, Func<IEnumerable<Tensor>, Optimizer> Create)[]
        {
            ("sgd", "SGD (lr 0.01)", p => new Sgd(p, learningRate: 0.01f)),
            ("momentum", "momentum 0.9 (lr 0.01)", p => new Sgd(p, learningRate: 0.01f, momentum: 0.9f)),
            ("rmsprop", "RMSProp (lr 0.001)", p => new RmsProp(p, learningRate: 0.001f)),
            ("adagrad", "Adagrad (lr 0.01)", p => new Adagrad(p, learningRate: 0.01f)),
            ("adam", "Adam (lr 0.001)", p => new Adam(p, learningRate: 0.001f)),
        };
        foreach (var (key, label, create) in optimizers)
        {
            var model = Mlp(context.Seed);
            var watch = Stopwatch.StartNew();
            var losses = DemoKitA.TrainClassifier(model, create(model.Parameters()), x, y, stepCount, 32, context.Seed + 2);
            watch.Stop();
            var smooth = Smooth(losses, 10);
            chart.Series(label, smooth);
            var loss = DemoKitA.Loss(model, x, y);
            context.Say($"   {label,-24}: full training loss {loss:0.000}, {watch.Elapsed.TotalSeconds:0.00} s");
            result[key + "_loss"] = loss;
        }
        context.SaveChart("optimizers.svg", chart);
        return result;
    }

    private static Sequential Mlp(ulong seed)
    {
        var g = new Generator(seed);
        return new Sequential(new Linear(784, 64, generator: g), new Relu(), new Linear(64, 10, generator: g));
    }

    private static double[] Smooth(double[] values, int window) =>
        [.. values.Select((_, i) => values.Skip(Math.Max(0, i - window + 1)).Take(Math.Min(window, i + 1)).Average())];

    private sealed class Chart
    {
        public List<string> Labels { get; } = [];
        public List<double> Values { get; } = [];
    }
}
