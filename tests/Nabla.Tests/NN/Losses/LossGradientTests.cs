using Nabla.NN;
using Nabla.Tests.Support;
using L = Nabla.NN.Losses;

namespace Nabla.Tests.NN.Losses;

/// <summary>
/// Autograd's gradient of every loss against central finite differences, on inputs chosen away from kinks
/// (|ŷ - y| not near 0 for MAE, hinges active for the margin losses). Targets that are indices stay fixed.
/// </summary>
public class LossGradientTests
{
    private static Tensor Randn(ulong seed, params int[] shape) => Tensor.Randn(shape, new Generator(seed));
    private static Tensor Rand(ulong seed, params int[] shape) => Tensor.Rand(shape, new Generator(seed));

    /// <summary>Predictions at least 0.3 away from the targets, so the step of the finite difference never crosses |d| = 0.</summary>
    private static (Tensor Prediction, Tensor Target) AwayFromZero(ulong seed)
    {
        var t = Randn(seed, 4, 3);
        var d = Randn(seed + 1, 4, 3);
        return (t + d + d.Sign() * 0.3f, t);
    }

    private static readonly Tensor Labels = Tensor.FromArray(2f, -100f, 0f, 3f, 1f);
    private static readonly Tensor ClassWeight = Tensor.FromArray(1f, 0.5f, 2f, 3f);

    public static readonly Dictionary<string, (Func<Tensor[], Tensor> F, Func<Tensor[]> Inputs)> Rows = new()
    {
        ["Mse"] = (xs => L.Mse(xs[0], xs[1], Reduction.None), () => [Randn(1, 4, 3), Randn(2, 4, 3)]),
        ["MseMean"] = (xs => L.Mse(xs[0], xs[1]), () => [Randn(1, 4, 3), Randn(2, 4, 3)]),
        ["Rmse"] = (xs => L.Rmse(xs[0], xs[1]), () => [Randn(3, 4, 3), Randn(4, 4, 3)]),
        ["RmsePerExample"] = (xs => L.Rmse(xs[0], xs[1], Reduction.None), () => [Randn(3, 4, 3), Randn(4, 4, 3)]),
        ["Mae"] = (xs => L.Mae(xs[0], xs[1], Reduction.None), () => { var (p, t) = AwayFromZero(5); return [p, t]; }),
        ["Huber"] = (xs => L.Huber(xs[0] * 2f, xs[1], 1f, Reduction.None), () => [Randn(7, 4, 3), Randn(8, 4, 3)]),
        ["SmoothL1"] = (xs => L.SmoothL1(xs[0] * 2f, xs[1], 0.5f, Reduction.Sum), () => [Randn(9, 4, 3), Randn(10, 4, 3)]),
        ["Bce"] = (xs => L.BinaryCrossEntropy(xs[0], xs[1], Tensor.FromArray(1f, 2f, 0.5f), Reduction.None),
            () => [Rand(11, 4, 3) * 0.8f + 0.1f, Rand(12, 4, 3)]),
        ["BceWithLogits"] = (xs => L.BinaryCrossEntropyWithLogits(xs[0], xs[1], reduction: Reduction.None), () => [Randn(13, 4, 3) * 3f, Rand(14, 4, 3)]),
        ["BceWithLogitsPosWeight"] = (xs => L.BinaryCrossEntropyWithLogits(xs[0], xs[1], Tensor.FromArray(0.5f, 2f, 4f), reduction: Reduction.Mean),
            () => [Randn(15, 4, 3) * 3f, Rand(16, 4, 3)]),
        ["CrossEntropy"] = (xs => L.CrossEntropy(xs[0], Labels, ClassWeight, -100, 0.1f, Reduction.Mean), () => [Randn(17, 5, 4) * 2f]),
        ["CrossEntropyPerExample"] = (xs => L.CrossEntropy(xs[0], Labels, ignoreIndex: -100, reduction: Reduction.None), () => [Randn(18, 5, 4) * 2f]),
        ["CrossEntropyProbabilities"] = (xs => L.CrossEntropy(xs[0], xs[1], ClassWeight, labelSmoothing: 0.2f, reduction: Reduction.None),
            () => [Randn(19, 5, 4), Rand(20, 5, 4)]),
        ["CrossEntropySpatial"] = (xs => L.CrossEntropy(xs[0], Tensor.FromArray([0f, 2f, 1f, 1f, 2f, 0f], 2, 3), reduction: Reduction.None),
            () => [Randn(21, 2, 3, 3)]),
        ["Nll"] = (xs => L.Nll(xs[0], Labels, ClassWeight, -100, 0.3f, Reduction.Mean), () => [Randn(22, 5, 4)]),
        ["KlDiv"] = (xs => L.KlDiv(xs[0], xs[1], Reduction.None), () => [Randn(23, 3, 4), Rand(24, 3, 4) + 0.1f]),
        ["KlDivLogTarget"] = (xs => L.KlDiv(xs[0], xs[1], Reduction.BatchMean, logTarget: true), () => [Randn(25, 3, 4), Randn(26, 3, 4)]),
        // margin 5 keeps every hinge active
        ["TripletMargin"] = (xs => L.TripletMargin(xs[0], xs[1], xs[2], margin: 5f, reduction: Reduction.None), () => [Randn(27, 4, 3), Randn(28, 4, 3), Randn(29, 4, 3)]),
        ["TripletMarginP1"] = (xs => L.TripletMargin(xs[0], xs[1], xs[2], margin: 10f, p: 1f, reduction: Reduction.Mean),
            () => [Randn(30, 4, 3), Randn(31, 4, 3) + 1f, Randn(32, 4, 3) - 1f]),
        // margin -1: cos - margin = cos + 1 > 0, so the dissimilar pairs' hinges are active too
        ["CosineEmbedding"] = (xs => L.CosineEmbedding(xs[0], xs[1], Tensor.FromArray(1f, -1f, -1f, 1f), -1f, Reduction.None),
            () => [Randn(33, 4, 3), Randn(34, 4, 3)]),
        ["GanDiscriminator"] = (xs => L.GanDiscriminator(xs[0], xs[1], Reduction.None), () => [Randn(35, 4) * 3f, Randn(36, 3) * 3f]),
        ["GanDiscriminatorMean"] = (xs => L.GanDiscriminator(xs[0], xs[1]), () => [Randn(35, 4) * 3f, Randn(36, 3) * 3f]),
        ["GanGeneratorMinimax"] = (xs => L.GanGeneratorMinimax(xs[0], Reduction.None), () => [Randn(37, 5) * 3f]),
        ["GanGeneratorNonSaturating"] = (xs => L.GanGeneratorNonSaturating(xs[0], Reduction.None), () => [Randn(38, 5) * 3f]),
    };

    public static TheoryData<string> Names() => [.. Rows.Keys];

    [Theory]
    [MemberData(nameof(Names))]
    public void Gradient_matches_finite_differences(string name)
    {
        var (f, inputs) = Rows[name];
        Check.Gradients(f, inputs(), name, eps: 1e-3);
    }

    [Fact]
    public void Bce_with_logits_gradient_at_zero_is_sigmoid_minus_target()
    {
        // At x = 0 exactly, a Relu/Abs composition would give 0 - t; the loss's slope is σ(0) - t = ½ - t.
        var x = Tensor.Zeros(3).RequireGrad();
        L.BinaryCrossEntropyWithLogits(x, Tensor.FromArray(0f, 1f, 0.25f), reduction: Reduction.Sum).Backward();
        Check.Close([0.5f, -0.5f, 0.25f], x.Grad!, context: "dℓ/dx at 0");
    }

    [Fact]
    public void Cross_entropy_gradient_is_softmax_minus_one_hot_over_n()
    {
        var logits = Tensor.FromArray([1f, 2f, 0.5f, -1f, 0f, 3f], 2, 3).RequireGrad();
        L.CrossEntropy(logits, Tensor.FromArray(1f, 0f)).Backward();
        var softmax = LossReference.LogSoftmax(LossReference.D(logits), 2, 3, 1).Select(Math.Exp).ToArray();
        softmax[1] -= 1;
        softmax[3] -= 1;
        Check.Close(new NdArray(softmax.Select(v => v / 2).ToArray(), [2, 3]), logits.Grad!, context: "(softmax - onehot)/N");
    }

    [Fact]
    public void Ignored_positions_get_no_gradient()
    {
        var logits = Tensor.Randn([3, 4], new Generator(50)).RequireGrad();
        L.CrossEntropy(logits, Tensor.FromArray(1f, -100f, 2f), ignoreIndex: -100, labelSmoothing: 0.2f).Backward();
        Assert.All(logits.Grad!.Select(0, 1).ToArray(), g => Assert.Equal(0f, g));
        Assert.Contains(logits.Grad!.Select(0, 0).ToArray(), g => g != 0f);
    }
}
