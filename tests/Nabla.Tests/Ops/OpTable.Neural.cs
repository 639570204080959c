using Nabla.NN;
using Nabla.Tests.Support;

namespace Nabla.Tests.Ops;

/// <summary>Activations, convolution and pooling rows of the op table.</summary>
public static partial class OpTable
{
    private static double Softplus(double x) => Math.Log(1 + Math.Exp(x));
    private static double Elu(double x, double alpha) => x > 0 ? x : alpha * (Math.Exp(x) - 1);

    private static IEnumerable<OpCase> BuildNeural()
    {
        // ---- activations (x drawn away from kinks where the function has one) ----
        yield return Unary("Erf", x => x.Erf(), RefNN.Erf);
        yield return Unary("LeakyRelu", x => Functional.LeakyRelu(x, 0.1f), v => v > 0 ? v : 0.1 * v, Domain.AwayFromZero);
        yield return Unary("Relu6", x => Functional.Relu6(x * 4f), v => Math.Clamp(4 * v, 0, 6), Domain.AwayFromZero);
        yield return Unary("Elu", x => Functional.Elu(x, 1.5f), v => Elu(v, 1.5), Domain.AwayFromZero);
        yield return Unary("Selu", Functional.Selu, v => 1.0507009873554805 * Elu(v, 1.6732632423543772), Domain.AwayFromZero);
        yield return Unary("Gelu", x => Functional.Gelu(x), v => 0.5 * v * (1 + RefNN.Erf(v / Math.Sqrt(2))));
        yield return Unary("GeluTanh", x => Functional.Gelu(x, GeluApproximation.Tanh),
            v => 0.5 * v * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v))));
        yield return Unary("Silu", Functional.Silu, v => v / (1 + Math.Exp(-v)));
        yield return Unary("Softplus", x => Functional.Softplus(x), Softplus);
        yield return Unary("SoftplusBeta", x => Functional.Softplus(x, 2f), v => Softplus(2 * v) / 2);
        yield return Unary("HardSigmoid", x => Functional.HardSigmoid(x * 2f), v => Math.Clamp(2 * v / 6 + 0.5, 0, 1), Domain.AwayFromZero);
        yield return Unary("BinaryStep", Functional.BinaryStep, v => v >= 0 ? 1 : 0, Domain.AwayFromZero, differentiable: false);
        foreach (var axis in new[] { 0, 1, -1 })
        {
            var a = axis < 0 ? 2 : axis;
            yield return new OpCase($"Softmax[axis {axis}]", [T345], x => Functional.Softmax(x[0], axis), x => RefNN.Softmax(x[0], a, log: false));
            yield return new OpCase($"LogSoftmax[axis {axis}]", [T345], x => Functional.LogSoftmax(x[0], axis), x => RefNN.Softmax(x[0], a, log: true));
        }

        // ---- convolution: inputs x, weight, bias ----
        (string Name, int[] X, int[] W, int Stride, int Pad, int Dilation, int Groups)[] convs =
        [
            ("plain", [2, 3, 5, 6], [4, 3, 3, 3], 1, 0, 1, 1),
            ("padded", [1, 2, 4, 4], [3, 2, 3, 3], 1, 1, 1, 1),
            ("strided", [2, 2, 7, 6], [3, 2, 3, 2], 2, 1, 1, 1),
            ("dilated", [1, 2, 7, 7], [2, 2, 3, 3], 1, 2, 2, 1),
            ("grouped", [2, 4, 5, 5], [6, 2, 3, 3], 1, 1, 1, 2),
            ("1x1", [2, 3, 3, 3], [2, 3, 1, 1], 1, 0, 1, 1),
        ];
        foreach (var c in convs)
        {
            yield return new OpCase($"Conv2d[{c.Name}]", [c.X, c.W, [c.W[0]]],
                x => Functional.Conv2d(x[0], x[1], x[2], c.Stride, c.Pad, c.Dilation, c.Groups),
                x => RefNN.Conv2d(x[0], x[1], x[2], c.Stride, c.Pad, c.Dilation, c.Groups));
        }
        yield return new OpCase("Conv2d[no bias]", [[1, 2, 4, 5], [3, 2, 2, 2]],
            x => Functional.Conv2d(x[0], x[1]), x => RefNN.Conv2d(x[0], x[1], null, 1, 0, 1, 1));
        // "same" with an even kernel: PyTorch puts the extra row and column after.
        yield return new OpCase("Conv2d[same, even kernel]", [[1, 2, 5, 4], [2, 2, 2, 2]],
            x => Functional.Conv2d(x[0], x[1], padding: Padding2.Same),
            x => RefNN.Conv2d(Ref.Pad(x[0], [(0, 0), (0, 0), (0, 1), (0, 1)], 0), x[1], null, 1, 0, 1, 1));

        (string Name, int[] X, int[] W, int Stride, int Pad, int OutPad, int Dilation, int Groups)[] transposed =
        [
            ("plain", [2, 3, 3, 4], [3, 2, 3, 3], 1, 0, 0, 1, 1),
            ("strided", [1, 2, 3, 3], [2, 3, 3, 3], 2, 1, 1, 1, 1),
            ("grouped", [2, 4, 3, 3], [4, 1, 2, 2], 2, 0, 0, 1, 2),
            ("dilated", [1, 2, 3, 3], [2, 2, 2, 2], 1, 0, 0, 2, 1),
        ];
        foreach (var c in transposed)
        {
            yield return new OpCase($"ConvTranspose2d[{c.Name}]", [c.X, c.W, [c.W[1] * c.Groups]],
                x => Functional.ConvTranspose2d(x[0], x[1], x[2], c.Stride, c.Pad, c.OutPad, c.Groups, c.Dilation),
                x => RefNN.ConvTranspose2d(x[0], x[1], x[2], c.Stride, c.Pad, c.OutPad, c.Dilation, c.Groups));
        }

        // ---- pooling (distinct values: no ties for max) ----
        (string Name, int[] X, int K, int Stride, int Pad, bool Ceil)[] pools =
        [
            ("2x2", [2, 3, 4, 6], 2, 2, 0, false),
            ("3x3 stride 2 pad 1", [1, 2, 5, 5], 3, 2, 1, false),
            ("overlapping", [1, 2, 5, 4], 3, 1, 0, false),
            ("ceil", [1, 2, 5, 5], 2, 2, 0, true),
        ];
        foreach (var p in pools)
        {
            yield return new OpCase($"MaxPool2d[{p.Name}]", [p.X], x => Functional.MaxPool2d(x[0], p.K, p.Stride, p.Pad, p.Ceil),
                x => RefNN.Pool2d(x[0], p.K, p.Stride, p.Pad, p.Ceil, max: true), [Domain.Distinct]);
            yield return new OpCase($"AvgPool2d[{p.Name}]", [p.X], x => Functional.AvgPool2d(x[0], p.K, p.Stride, p.Pad, p.Ceil),
                x => RefNN.Pool2d(x[0], p.K, p.Stride, p.Pad, p.Ceil, max: false));
        }
        yield return new OpCase("AvgPool2d[exclude pad]", [[1, 2, 5, 5]], x => Functional.AvgPool2d(x[0], 3, 2, 1, countIncludePad: false),
            x => RefNN.Pool2d(x[0], 3, 2, 1, false, max: false, countIncludePad: false));
        yield return new OpCase("GlobalAvgPool2d", [[2, 3, 4, 5]], x => Functional.GlobalAvgPool2d(x[0]),
            x => x[0].Reduce([2, 3], false, v => v.Sum() / v.Count));
    }
}
