using Nabla.Cli.Reports;
using Nabla.NN;

namespace Nabla.Cli.Demos;

/// <summary>Logistic regression on two fruit features; the decision boundary w·x + b = 0 is a straight line.</summary>
internal sealed class AppleVsOrangeDemo : Demo
{
    public override string Name => "apple-vs-orange";
    public override string Description => "logistic regression tells apples from oranges by colour and shape; accuracy and the straight decision boundary";

    public override DemoResult Run(DemoContext context)
    {
        var g = new Generator(context.Seed);
        var perClass = context.Quick ? 100 : 400;
        var (trainX, trainY) = Fruit(perClass, g);
        var (testX, testY) = Fruit(perClass, g);
        var model = new SigmoidNeuron(2, g);
        var epochs = context.Quick ? 800 : 2000;
        var losses = model.Fit(trainX, trainY, epochs, learningRate: 1f);
        var trainAccuracy = model.Predict(trainX).Eq(trainY).Mean().Item();
        var testAccuracy = model.Predict(testX).Eq(testY).Mean().Item();
        var w = model.Linear.Weight.ToArray();
        var b = model.Linear.Bias!.Item();
        context.Say($"   features: redness (0 = orange-yellow hue, 1 = deep red) and roundness (0 = lumpy, 1 = a perfect sphere; oranges are rounder)");
        context.Say($"   {2 * perClass} training and {2 * perClass} test fruits; label 1 = apple");
        context.Say($"   loss {losses[0]:0.000} -> {losses[^1]:0.000} after {epochs} epochs of gradient descent");
        context.Say($"   P(apple) = σ({w[0]:0.00}·redness + {w[1]:0.00}·roundness + {b:0.00})");
        context.Say($"   decision boundary (P = 0.5): roundness = {-w[0] / w[1]:0.000}·redness + {-b / w[1]:0.000}");
        context.Say($"   accuracy: train {trainAccuracy:P1}, test {testAccuracy:P1}");

        var chart = SvgChart.Line("Apples vs oranges", "redness", "roundness");
        foreach (var (label, cls) in new[] { ("apples", 1f), ("oranges", 0f) })
        {
            var rows = Enumerable.Range(0, testY.Shape[0]).Where(i => testY.ToArray()[i] == cls).Take(150).ToArray();
            var pts = testX.IndexSelect(0, rows);
            var (xs, ys) = DemoScatter.Points(pts.Select(1, 0).ToArray(), pts.Select(1, 1).ToArray());
            chart.Series(label, xs, ys);
        }
        double[] edge = [0.0, 1.0];
        chart.Series("decision boundary", edge, [.. edge.Select(r => (-b - w[0] * r) / w[1])], dashed: true);
        context.SaveChart("apple-vs-orange.svg", chart);
        return new DemoResult
        {
            ["train_accuracy"] = trainAccuracy,
            ["test_accuracy"] = testAccuracy,
            ["weight_redness"] = w[0],
            ["weight_roundness"] = w[1],
            ["bias"] = b,
        };
    }

    /// <summary>
    /// <paramref name="perClass"/> apples (redness ~ N(0.7, 0.12²), roundness ~ N(0.4, 0.12²)) then as many oranges
    /// (redness ~ N(0.35, 0.12²), roundness ~ N(0.7, 0.12²)); labels 1 = apple, 0 = orange.
    /// </summary>
    internal static (Tensor X, Tensor Y) Fruit(int perClass, Generator g)
    {
        var z = Tensor.Randn([2 * perClass, 2], g).ToArray();
        var x = new float[4 * perClass];
        var y = new float[2 * perClass];
        for (var i = 0; i < 2 * perClass; i++)
        {
            var apple = i < perClass;
            x[2 * i] = apple ? 0.7f + 0.12f * z[2 * i] : 0.35f + 0.12f * z[2 * i];
            x[2 * i + 1] = apple ? 0.4f + 0.12f * z[2 * i + 1] : 0.7f + 0.12f * z[2 * i + 1];
            y[i] = apple ? 1f : 0f;
        }
        return (Tensor.FromArray(x, 2 * perClass, 2), Tensor.FromArray(y, 2 * perClass));
    }
}
