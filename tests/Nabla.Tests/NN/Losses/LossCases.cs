using Nabla.NN;
using static Nabla.Tests.NN.Losses.LossReference;
using L = Nabla.NN.Losses;

namespace Nabla.Tests.NN.Losses;

/// <summary>One loss on fixed inputs with its reference: unreduced losses of the given shape and, where it is not their plain average, the Mean.</summary>
public sealed record LossRow(Func<Reduction, Tensor> Loss, double[] Unreduced, int[] Shape, double? Mean = null);

/// <summary>The table of loss rows shared by the value tests: seeded inputs, references from <see cref="LossReference"/>.</summary>
internal static class LossCases
{
    private static Tensor Randn(ulong seed, params int[] shape) => Tensor.Randn(shape, new Generator(seed));
    private static Tensor Rand(ulong seed, params int[] shape) => Tensor.Rand(shape, new Generator(seed));
    private static Tensor Labels(ulong seed, int classes, params int[] shape) => Tensor.RandInt(0, classes, shape, new Generator(seed));

    /// <summary>Probabilities in [0.05, 0.95], away from the clamp.</summary>
    private static Tensor Probabilities(ulong seed, params int[] shape) => Rand(seed, shape) * 0.9f + 0.05f;

    private static Tensor Coins(ulong seed, params int[] shape) => Tensor.Bernoulli(0.5f, shape, new Generator(seed));

    public static readonly Dictionary<string, LossRow> Rows = Build();

    private static Dictionary<string, LossRow> Build()
    {
        var rows = new Dictionary<string, LossRow>();
        var p = Randn(1, 4, 3);
        var t = Randn(2, 4, 3);
        rows["Mse"] = new(r => L.Mse(p, t, r), Elementwise(p, t, (a, b) => (a - b) * (a - b)), [4, 3]);
        var squares = Elementwise(p, t, (a, b) => (a - b) * (a - b));
        rows["Rmse"] = new(r => L.Rmse(p, t, r),
            Enumerable.Range(0, 4).Select(i => Math.Sqrt(squares.Skip(3 * i).Take(3).Average())).ToArray(), [4], Math.Sqrt(squares.Average()));
        var p5 = Randn(3, 5);
        var t5 = Randn(4, 5);
        rows["Rmse1d"] = new(r => L.Rmse(p5, t5, r), Elementwise(p5, t5, (a, b) => Math.Abs(a - b)), [5],
            Math.Sqrt(Elementwise(p5, t5, (a, b) => (a - b) * (a - b)).Average()));
        rows["Mae"] = new(r => L.Mae(p, t, r), Elementwise(p, t, (a, b) => Math.Abs(a - b)), [4, 3]);
        rows["L1"] = new(r => L.L1(p5, t5, r), Elementwise(p5, t5, (a, b) => Math.Abs(a - b)), [5]);

        var wide = p * 2f;   // errors on both sides of δ = 1
        rows["Huber"] = new(r => L.Huber(wide, t, reduction: r), Elementwise(wide, t, (a, b) => Huber(a - b, 1)), [4, 3]);
        rows["HuberDelta0.5"] = new(r => L.Huber(wide, t, 0.5f, r), Elementwise(wide, t, (a, b) => Huber(a - b, 0.5)), [4, 3]);
        rows["SmoothL1"] = new(r => L.SmoothL1(wide, t, reduction: r), Elementwise(wide, t, (a, b) => SmoothL1(a - b, 1)), [4, 3]);
        rows["SmoothL1Beta0.3"] = new(r => L.SmoothL1(wide, t, 0.3f, r), Elementwise(wide, t, (a, b) => SmoothL1(a - b, 0.3)), [4, 3]);
        rows["SmoothL1Beta0"] = new(r => L.SmoothL1(wide, t, 0f, r), Elementwise(wide, t, (a, b) => SmoothL1(a - b, 0)), [4, 3]);

        var probabilities = Probabilities(5, 4, 3);
        var coins = Coins(6, 4, 3);
        var soft = Rand(7, 4, 3);
        var classWeight3 = Tensor.FromArray(0.5f, 2f, 3f);
        var w3 = D(classWeight3);
        rows["Bce"] = new(r => L.BinaryCrossEntropy(probabilities, coins, reduction: r), Elementwise(probabilities, coins, Bce), [4, 3]);
        rows["BceSoftTargets"] = new(r => L.BinaryCrossEntropy(probabilities, soft, reduction: r), Elementwise(probabilities, soft, Bce), [4, 3]);
        rows["BceWeighted"] = new(r => L.BinaryCrossEntropy(probabilities, coins, classWeight3, r),
            Elementwise(probabilities, coins, Bce).Select((v, i) => v * w3[i % 3]).ToArray(), [4, 3]);

        var logits = Randn(8, 4, 3) * 3f;
        rows["BceWithLogits"] = new(r => L.BinaryCrossEntropyWithLogits(logits, coins, reduction: r), Elementwise(logits, coins, (x, y) => BceWithLogits(x, y)), [4, 3]);
        rows["BceWithLogitsSoft"] = new(r => L.BinaryCrossEntropyWithLogits(logits, soft, reduction: r), Elementwise(logits, soft, (x, y) => BceWithLogits(x, y)), [4, 3]);
        rows["BceWithLogitsPosWeight"] = new(r => L.BinaryCrossEntropyWithLogits(logits, soft, classWeight3, reduction: r),
            D(logits).Select((x, i) => BceWithLogits(x, D(soft)[i], w3[i % 3])).ToArray(), [4, 3]);
        rows["BceWithLogitsWeight"] = new(r => L.BinaryCrossEntropyWithLogits(logits, coins, weight: classWeight3, reduction: r),
            Elementwise(logits, coins, (x, y) => BceWithLogits(x, y)).Select((v, i) => v * w3[i % 3]).ToArray(), [4, 3]);

        AddClassification(rows);
        AddOthers(rows);
        return rows;
    }

    private static void AddClassification(Dictionary<string, LossRow> rows)
    {
        const int n = 6, c = 4;
        var logits = Randn(10, n, c) * 2f;
        var labels = Labels(11, c, n);
        var logp = LogSoftmax(D(logits), n, c, 1);
        var weight = Tensor.FromArray(1f, 0.5f, 2f, 3f);
        var w = D(weight);
        var withIgnored = Tensor.FromArray(2f, -100f, 0f, 3f, -100f, 1f);
        var y = D(labels);
        var yIgnored = D(withIgnored);

        LossRow Indexed(Func<Reduction, Tensor> loss, double[] target, double[]? wt = null, int? ignore = null, double eps = 0)
        {
            var (losses, mean) = Nll(logp, target, n, c, 1, wt, ignore, eps);
            return new(loss, losses, [n], mean);
        }

        rows["CrossEntropy"] = Indexed(r => L.CrossEntropy(logits, labels, reduction: r), y);
        rows["CrossEntropyWeighted"] = Indexed(r => L.CrossEntropy(logits, labels, weight, reduction: r), y, w);
        rows["CrossEntropyIgnore"] = Indexed(r => L.CrossEntropy(logits, withIgnored, ignoreIndex: -100, reduction: r), yIgnored, ignore: -100);
        rows["CrossEntropySmoothing"] = Indexed(r => L.CrossEntropy(logits, labels, labelSmoothing: 0.2f, reduction: r), y, eps: 0.2);
        rows["CrossEntropyAllOptions"] = Indexed(r => L.CrossEntropy(logits, withIgnored, weight, -100, 0.1f, r), yIgnored, w, -100, 0.1);
        rows["NllOnLogSoftmax"] = Indexed(r => L.Nll(Nabla.NN.Functional.LogSoftmax(logits), labels, reduction: r), y);

        // NLL does not normalise: it reads -input[n, y] from whatever it is given.
        var raw = D(logits);
        var (nllRaw, nllRawMean) = Nll(raw, yIgnored, n, c, 1, w, -100);
        rows["NllRawWeightedIgnore"] = new(r => L.Nll(logits, withIgnored, weight, -100, reduction: r), nllRaw, [n], nllRawMean);

        // Probability targets: soft labels from a softmax, Mean divides by N.
        var soft = Nabla.NN.Functional.Softmax(Randn(12, n, c));
        rows["CrossEntropyProbabilities"] = new(r => L.CrossEntropy(logits, soft, reduction: r), SoftNll(logp, D(soft), n, c), [n]);
        rows["CrossEntropyProbabilitiesWeightSmoothing"] = new(r => L.CrossEntropy(logits, soft, weight, labelSmoothing: 0.3f, reduction: r),
            SoftNll(logp, D(soft), n, c, w, 0.3), [n]);
        var oneHot = labels.OneHot(c);
        rows["CrossEntropyOneHotEqualsIndices"] = Indexed(r => L.CrossEntropy(logits, oneHot, reduction: r), y);

        // Spatial [N, C, d]: per-position losses [N, d].
        var spatial = Randn(13, 2, 3, 4);
        var spatialLabels = Tensor.FromArray([0f, 2f, 1f, -1f, 2f, 2f, -1f, 0f], 2, 4);
        var spatialWeight = Tensor.FromArray(2f, 1f, 0.5f);
        var (spatialLosses, spatialMean) = Nll(LogSoftmax(D(spatial), 2, 3, 4), D(spatialLabels), 2, 3, 4, D(spatialWeight), -1, 0.1);
        rows["CrossEntropySpatial"] = new(r => L.CrossEntropy(spatial, spatialLabels, spatialWeight, -1, 0.1f, r), spatialLosses, [2, 4], spatialMean);

        // One example [C] with a scalar target.
        var single = Randn(14, 5);
        var singleLogp = LogSoftmax(D(single), 1, 5, 1);
        rows["CrossEntropyOneExample"] = new(r => L.CrossEntropy(single, Tensor.Scalar(3f), reduction: r), [-singleLogp[3]], []);
    }

    private static void AddOthers(Dictionary<string, LossRow> rows)
    {
        // KL: input log-probabilities, target probabilities with exact zeros (0·log 0 = 0).
        var input = Nabla.NN.Functional.LogSoftmax(Randn(20, 4, 5));
        var target = Nabla.NN.Functional.Softmax(Randn(21, 4, 5)) * Tensor.Bernoulli(0.7f, [4, 5], new Generator(22));
        rows["KlDiv"] = new(r => L.KlDiv(input, target, r), Elementwise(input, target, (x, y) => KlDiv(x, y, false)), [4, 5]);
        var logTarget = Nabla.NN.Functional.LogSoftmax(Randn(23, 4, 5));
        rows["KlDivLogTarget"] = new(r => L.KlDiv(input, logTarget, r, logTarget: true), Elementwise(input, logTarget, (x, y) => KlDiv(x, y, true)), [4, 5]);

        var (a, pos, neg) = (Randn(30, 5, 3), Randn(31, 5, 3), Randn(32, 5, 3));
        rows["TripletMargin"] = new(r => L.TripletMargin(a, pos, neg, reduction: r), Triplet(a, pos, neg, 1, 2, 1e-6, false), [5]);
        rows["TripletMarginP1Swap"] = new(r => L.TripletMargin(a, pos, neg, 0.5f, 1f, 1e-6f, true, r), Triplet(a, pos, neg, 0.5, 1, 1e-6, true), [5]);
        rows["TripletMarginP3"] = new(r => L.TripletMargin(a, pos, neg, 2f, 3f, reduction: r), Triplet(a, pos, neg, 2, 3, 1e-6, false), [5]);

        var (x1, x2) = (Randn(33, 6, 4), Randn(34, 6, 4));
        var similar = Tensor.FromArray(1f, -1f, 1f, -1f, -1f, 1f);
        rows["CosineEmbedding"] = new(r => L.CosineEmbedding(x1, x2, similar, reduction: r), CosineEmbedding(x1, x2, similar, 0), [6]);
        rows["CosineEmbeddingMargin"] = new(r => L.CosineEmbedding(x1, x2, similar, 0.2f, r), CosineEmbedding(x1, x2, similar, 0.2), [6]);

        var fake = Randn(35, 6) * 3f;
        rows["GanGeneratorMinimax"] = new(r => L.GanGeneratorMinimax(fake, r), D(fake).Select(x => Math.Log(1 - 1 / (1 + Math.Exp(-x)))).ToArray(), [6]);
        rows["GanGeneratorNonSaturating"] = new(r => L.GanGeneratorNonSaturating(fake, r), D(fake).Select(x => -Math.Log(1 / (1 + Math.Exp(-x)))).ToArray(), [6]);
    }
}
