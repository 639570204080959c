using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Nabla.NN;
using Nabla.Optim;

namespace Nabla.Cli.Commands;

/// <summary>
/// <c>nabla bench subnormal</c>: does anything slow down when values fall below the smallest normal float
/// (2⁻¹²⁶ ≈ 1.18e-38)? Each row times the same work twice, once on normal values and once on subnormal ones,
/// interleaved so that the machine's drift hits both alike, and prints the ratio (1.00 means no slowdown).
/// </summary>
internal static class SubnormalBench
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Subnormal scale: uniform [−0.5, 0.5) times this lands in [−5e-40, 5e-40].</summary>
    private const float Tiny = 1e-39f;

    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print one JSON object per line." };
        var command = new Command("subnormal", "Op and training-step time on subnormal values against the same work on normal values.") { json };
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var asJson = parse.GetValue(json);
            if (!asJson) output.WriteLine($"{"case",-34} {"normal µs",10} {"subnormal µs",13} {"ratio",6}");
            foreach (var (name, make) in Cases())
            {
                var normal = make(1f);
                var subnormal = make(Tiny);
                double bestNormal = double.MaxValue, bestSubnormal = double.MaxValue;
                for (var round = 0; round < 3; round++)
                {
                    bestNormal = Math.Min(bestNormal, BenchCommand.MedianSeconds(normal, repeats: 5));
                    bestSubnormal = Math.Min(bestSubnormal, BenchCommand.MedianSeconds(subnormal, repeats: 5));
                }
                var ratio = bestSubnormal / bestNormal;
                output.WriteLine(asJson
                    ? JsonSerializer.Serialize(new { bench = "subnormal", @case = name, normal_us = Math.Round(bestNormal * 1e6, 2), subnormal_us = Math.Round(bestSubnormal * 1e6, 2), ratio = Math.Round(ratio, 3) })
                    : string.Create(Inv, $"{name,-34} {bestNormal * 1e6,10:F1} {bestSubnormal * 1e6,13:F1} {ratio,6:F2}"));
            }
            return 0;
        });
        return command;
    }

    /// <summary>Each case builds its work for one scale of the values it feeds in.</summary>
    private static IEnumerable<(string Name, Func<float, Func<object?>> Make)> Cases()
    {
        const int length = 1 << 16;
        Tensor Values(float scale, int seed) => (Tensor.Rand([length], new Generator((ulong)seed)) - 0.5f) * scale;
        yield return ("tanh, 65536 values", s => { var x = Values(s, 1); return () => x.Tanh(); });
        yield return ("sigmoid, 65536 values", s => { var x = Values(s, 1); return () => x.Sigmoid(); });
        yield return ("exp, 65536 values", s => { var x = Values(s, 1); return () => x.Exp(); });
        yield return ("sqrt, 65536 values", s => { var x = Values(s, 1).Abs(); return () => x.Sqrt(); });
        yield return ("log, 65536 values", s => { var x = Values(s, 1).Abs(); return () => x.Log(); });
        yield return ("x / y, 65536 values", s => { var x = Values(s, 1); var y = Values(1f, 2) + 1f; return () => x / y; });
        yield return ("x · y, 65536 values", s => { var x = Values(s, 1); var y = Values(1f, 2); return () => x * y; });
        yield return ("matmul 256×256 · 256×256", s =>
        {
            var a = (Tensor.Rand([256, 256], new Generator(3)) - 0.5f) * s;
            var b = Tensor.Rand([256, 256], new Generator(4)) - 0.5f;
            return () => a.MatMul(b);
        });
        yield return ("train step: tanh MLP, RMSProp", TrainingStep);
    }

    /// <summary>
    /// One training step of a 784-128-64-10 tanh MLP without biases, RMSProp, batch 64. Inputs at the subnormal
    /// scale make every activation, every weight gradient and RMSProp's running squares subnormal, as they become
    /// when a signal fades through a deep network.
    /// </summary>
    private static Func<object?> TrainingStep(float scale)
    {
        var g = new Generator(5);
        var model = new Sequential(
            new Linear(784, 128, bias: false, generator: g), new Tanh(),
            new Linear(128, 64, bias: false, generator: g), new Tanh(),
            new Linear(64, 10, bias: false, generator: g));
        var x = Tensor.Rand([64, 784], g) * scale;
        var labels = Tensor.RandInt(0, 10, [64], g);
        var optimizer = new RmsProp(model.Parameters(), learningRate: 1e-30f);
        return () =>
        {
            using var scope = TensorScope.Begin();
            optimizer.ZeroGrad();
            Losses.CrossEntropy(model.Forward(x), labels).Backward();
            optimizer.Step();
            return null;
        };
    }
}
