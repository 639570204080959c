using Nabla.Cli.Reports;
using Nabla.NN;
using Nabla.Optim;

namespace Nabla.Cli.Demos;

/// <summary>XOR is not linearly separable: one neuron gets at most 3 of 4 right; one hidden layer solves it.</summary>
internal sealed class XorDemo : Demo
{
    public override string Name => "xor";
    public override string Description => "a single neuron cannot learn XOR (at most 75%), a network with one hidden layer reaches 100%";

    public override DemoResult Run(DemoContext context)
    {
        var x = Tensor.FromArray([0f, 0f, 0f, 1f, 1f, 0f, 1f, 1f], 4, 2);
        var y = Tensor.FromArray([0f, 1f, 1f, 0f], 4);
        var steps = context.Quick ? 600 : 2000;

        var neuron = new SigmoidNeuron(2, new Generator(context.Seed));
        var neuronLosses = neuron.Fit(x, y, steps, learningRate: 0.5f);
        var neuronAccuracy = neuron.Predict(x).Eq(y).Mean().Item();

        // 2 -> 4 (tanh) -> 1: the hidden units carve the plane into pieces a line can then separate.
        var g = new Generator(context.Seed + 1);
        var net = new Sequential(new Linear(2, 4, generator: g), new Tanh(), new Linear(4, 1, generator: g));
        var optimizer = new Adam(net.Parameters(), learningRate: 0.05f);
        var netLosses = new double[steps];
        for (var step = 0; step < steps; step++)
        {
            using var scope = TensorScope.Begin();
            optimizer.ZeroGrad();
            var loss = Losses.BinaryCrossEntropyWithLogits(net.Forward(x).Squeeze(-1), y);
            loss.Backward();
            netLosses[step] = loss.Item();
            optimizer.Step();
        }
        float[] netOutputs;
        using (Autograd.NoGrad()) netOutputs = net.Forward(x).Squeeze(-1).Sigmoid().ToArray();
        var netAccuracy = netOutputs.Select((p, i) => (p > 0.5f ? 1f : 0f) == y.ToArray()[i] ? 1.0 : 0.0).Average();
        var neuronOutputs = neuron.Forward(x).ToArray();

        context.Say($"   inputs (0,0) (0,1) (1,0) (1,1), XOR targets 0 1 1 0");
        context.Say($"   single neuron : outputs {Join(neuronOutputs)}  accuracy {neuronAccuracy:P0}, loss {neuronLosses[^1]:0.000} (ln 2 = 0.693: no better than a coin)");
        context.Say($"   2-4-1 tanh net: outputs {Join(netOutputs)}  accuracy {netAccuracy:P0}, loss {netLosses[^1]:0.0000}");

        context.SaveChart("xor-loss.svg", SvgChart.Line("XOR: binary cross-entropy", "step", "loss")
            .Series("single neuron", neuronLosses).Series("one hidden layer (4 tanh)", netLosses).LogY());
        return new DemoResult
        {
            ["neuron_accuracy"] = neuronAccuracy,
            ["neuron_final_loss"] = neuronLosses[^1],
            ["net_accuracy"] = netAccuracy,
            ["net_final_loss"] = netLosses[^1],
        };
    }

    private static string Join(float[] values) => string.Join(" ", values.Select(v => v.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)));
}
