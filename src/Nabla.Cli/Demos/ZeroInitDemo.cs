using Nabla.Cli.Reports;
using Nabla.NN;

namespace Nabla.Cli.Demos;

/// <summary>Zero initialisation: every hidden unit gets the same gradient, so they stay copies of each other forever.</summary>
internal sealed class ZeroInitDemo : Demo
{
    public override string Name => "zero-init";
    public override string Description => "why zero initial weights fail: hidden units stay identical, random ones differentiate";

    public override DemoResult Run(DemoContext context)
    {
        var g = new Generator(context.Seed);
        var steps = context.Quick ? 60 : 300;
        var x = Tensor.Randn([128, 4], g);
        var y = (x.Select(1, 0) * x.Select(1, 1)).Sin().Unsqueeze(1); // a non-linear target
        var result = new DemoResult();
        var spreads = new Dictionary<string, double[]>();
        foreach (var (label, init) in new[] { ("zeros", Initializer.Zeros), ("random (Kaiming)", (Initializer?)null) })
        {
            var hidden = new Linear(4, 8, weightInit: init, biasInit: init, generator: new Generator(context.Seed + 1));
            var output = new Linear(8, 1, weightInit: init is null ? null : Initializer.Constant(0.5f), generator: new Generator(context.Seed + 2));
            var curve = new double[steps];
            for (var step = 0; step < steps; step++)
            {
                using var scope = TensorScope.Begin();
                var loss = (output.Forward(hidden.Forward(x).Tanh()) - y).Pow(2f).Mean();
                hidden.ZeroGrad();
                output.ZeroGrad();
                loss.Backward();
                using (Autograd.NoGrad())
                {
                    foreach (var p in hidden.Parameters().Concat(output.Parameters())) p.SubInPlace(p.Grad! * 0.1f);
                }
                // How different are the hidden units? The largest spread of any weight across units.
                curve[step] = hidden.Weight.Max(0).Sub(hidden.Weight.Min(0)).Max().Item();
            }
            spreads[label] = curve;
            context.Say($"   {label,-17} spread between hidden units after {steps} steps: {curve[^1]:0.000000}");
        }
        result["zeros_spread"] = spreads["zeros"][^1];
        result["random_spread"] = spreads["random (Kaiming)"][^1];
        context.Say($"   with zeros every hidden unit computes the same function: the network is as good as one unit.");
        var chart = SvgChart.Line("Spread of weights across hidden units", xLabel: "step", yLabel: "max spread");
        foreach (var (label, curve) in spreads) chart.Series(label, curve);
        context.SaveChart("spread.svg", chart);
        return result;
    }
}
