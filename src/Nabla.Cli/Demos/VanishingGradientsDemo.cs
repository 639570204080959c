using Nabla.Cli.Reports;
using Nabla.NN;

namespace Nabla.Cli.Demos;

/// <summary>
/// Backpropagation multiplies by σ'(z) ≤ 1/4 at every sigmoid layer, so in a deep sigmoid network the first layers get
/// gradients orders of magnitude smaller than the last; ReLU (derivative 1 where active) keeps them comparable.
/// </summary>
internal sealed class VanishingGradientsDemo : Demo
{
    public override string Name => "vanishing-gradients";
    public override string Description => "gradient norm per layer of a 10-layer sigmoid, tanh and ReLU network on MNIST: sigmoid's first layers get almost nothing";

    public override DemoResult Run(DemoContext context)
    {
        const int depth = 10;
        var width = context.Quick ? 32 : 64;
        var (x, y) = DemoKitA.Mnist(context.Quick ? 64 : 256);
        var result = new DemoResult();
        var chart = SvgChart.Line($"Gradient norm per layer ({depth} linear layers, one MNIST batch)", "layer (1 = input side)", "‖∂L/∂W‖").LogY().IntegerX();
        foreach (var (name, activation) in new (string, Func<Module>)[] { ("sigmoid", () => new Sigmoid()), ("tanh", () => new Tanh()), ("relu", () => new Relu()) })
        {
            var g = new Generator(context.Seed);
            var layers = new List<Linear>();
            var modules = new List<Module>();
            for (var i = 0; i < depth; i++)
            {
                var linear = new Linear(i == 0 ? 784 : width, i == depth - 1 ? 10 : width, generator: g);
                layers.Add(linear);
                modules.Add(linear);
                if (i < depth - 1) modules.Add(activation());
            }
            var model = new Sequential([.. modules]);
            model.ZeroGrad();
            Losses.CrossEntropy(model.Forward(x), y).Backward();
            var norms = layers.Select(l => (double)l.Weight.Grad!.Norm().Item()).ToArray();
            chart.Series(name, norms);
            context.Say($"   {name,-7}: layer 1 {norms[0]:0.00e+0}, layer 5 {norms[4]:0.00e+0}, layer {depth} {norms[^1]:0.00e+0}; first/last = {norms[0] / norms[^1]:0.0e+0}");
            result[$"{name}_first"] = norms[0];
            result[$"{name}_last"] = norms[^1];
            result[$"{name}_ratio"] = norms[0] / norms[^1];
        }
        context.Say($"   the sigmoid net's first layer gets {result["relu_first"] / result["sigmoid_first"]:0.0e+0} times less gradient than the ReLU net's");
        context.SaveChart("gradient-norms.svg", chart);
        return result;
    }
}
