using Nabla.Cli.Reports;
using Nabla.NN;
using Nabla.Optim;

namespace Nabla.Cli.Demos;

/// <summary>
/// A ReLU unit whose pre-activation is negative for every input gets zero gradient and never recovers ("dead").
/// A too-large learning rate pushes many units there; a sane one, or leaky ReLU's small negative slope, does not.
/// </summary>
internal sealed class DeadReluDemo : Demo
{
    public override string Name => "dead-relu";
    public override string Description => "a too-large learning rate leaves most ReLU units dead (never active on a batch); a sane rate keeps them alive";

    public override DemoResult Run(DemoContext context)
    {
        var (x, y) = DemoKitA.Mnist(context.Quick ? 512 : 2048);
        var (probe, probeY) = DemoKitA.Mnist(512, train: false);
        var steps = context.Quick ? 60 : 300;
        const int hidden = 128;
        var result = new DemoResult();
        var chart = SvgChart.Line("Dead hidden units during training", "step", "fraction of units never active on the probe batch");
        var runs = new (string Key, string Label, float Lr, float Slope)[]
        {
            ("relu_sane", "ReLU, lr 0.1", 0.1f, 0f),
            ("relu_high", "ReLU, lr 2", 2f, 0f),
            ("leaky_sane", "leaky ReLU (0.1), lr 0.1", 0.1f, 0.1f),
        };
        foreach (var run in runs)
        {
            var g = new Generator(context.Seed);
            var first = new Linear(784, hidden, generator: g);
            var second = new Linear(hidden, hidden, generator: g);
            var output = new Linear(hidden, 10, generator: g);
            Module Act() => run.Slope == 0f ? new Relu() : new LeakyRelu(run.Slope);
            var model = new Sequential(first, Act(), second, Act(), output);
            var optimizer = new Sgd(model.Parameters(), learningRate: run.Lr);
            var curve = new List<double>();
            var losses = new List<double>();
            var batch = 64;
            var gen = new Generator(context.Seed + 7);
            for (var step = 0; step < steps; step++)
            {
                using var scope = TensorScope.Begin();
                var index = Tensor.RandInt(0, x.Shape[0], [batch], gen);
                optimizer.ZeroGrad();
                var loss = Losses.CrossEntropy(model.Forward(x.IndexSelect(0, index)), y.IndexSelect(0, index));
                loss.Backward();
                losses.Add(loss.Item());
                optimizer.Step();
                if (step % 5 == 4 || step == steps - 1) curve.Add(DeadFraction(first, second, probe, run.Slope));
            }
            var dead = DeadFraction(first, second, probe, run.Slope);
            var accuracy = DemoKitA.Accuracy(model, probe, probeY);
            chart.Series(run.Label, [.. Enumerable.Range(0, curve.Count).Select(i => Math.Min(steps, 5.0 * (i + 1)))], curve);
            context.Say($"   {run.Label,-24}: {dead:P0} of {2 * hidden} hidden units never active on 512 test digits; final loss {losses[^1]:0.00}, test accuracy {accuracy:P0}");
            result[run.Key] = dead;
            result[run.Key + "_accuracy"] = accuracy;
        }
        context.Say($"   a dead unit outputs 0 for every input, so it gets no gradient and no step can revive it: the network lost those units for good");
        context.Say($"   (a leaky unit whose input is always negative still passes 0.1 of the gradient, so it can come back)");
        context.SaveChart("dead-units.svg", chart);
        return result;
    }

    /// <summary>The fraction of units in both hidden layers whose pre-activation is ≤ 0 for every row of <paramref name="probe"/>.</summary>
    internal static double DeadFraction(Linear first, Linear second, Tensor probe, float slope)
    {
        using var scope = TensorScope.Begin();
        using (Autograd.NoGrad())
        {
            var z1 = first.Forward(probe);                                         // [N, hidden]
            var a1 = slope == 0f ? z1.Relu() : Functional.LeakyRelu(z1, slope);
            var z2 = second.Forward(a1);
            var deadUnits = z1.Max(0).Le(0f).Sum().Item() + z2.Max(0).Le(0f).Sum().Item();
            return deadUnits / (z1.Shape[1] + z2.Shape[1]);
        }
    }
}
