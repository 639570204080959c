using Nabla.Cli.Reports;
using Nabla.NN;
using Nabla.Optim;

namespace Nabla.Cli.Demos;

/// <summary>Regression losses on a hand-checkable example, then a small model of height from age scored by MAE, RMSE and R².</summary>
internal sealed class HeightRegressionDemo : Demo
{
    public override string Name => "height-regression";
    public override string Description => "MSE/RMSE on five heights by hand, then a small network predicts height from age (MAE, RMSE, R²)";

    // Median height (cm) by age (years): a smooth growth curve the synthetic children scatter around.
    private static readonly (float Age, float Height)[] GrowthCurve = [(2, 87), (5, 110), (8, 128), (11, 144), (14, 163), (17, 174), (19, 176)];

    public override DemoResult Run(DemoContext context)
    {
        var actual = Tensor.FromArray([170f, 165f, 160f, 155f, 150f], 5);
        var predicted = Tensor.FromArray([165f, 170f, 162f, 157f, 153f], 5);
        var mse = Losses.Mse(predicted, actual).Item();
        var rmse = Losses.Rmse(predicted, actual).Item();
        var mae = Losses.Mae(predicted, actual).Item();
        context.Say($"   worked example: actual 170 165 160 155 150, predicted 165 170 162 157 153");
        context.Say($"   errors -5 5 2 2 3 -> MSE = (25+25+4+4+9)/5 = {mse:0.00} cm², RMSE = {rmse:0.00} cm, MAE = {mae:0.00} cm");

        var g = new Generator(context.Seed);
        var (trainAge, trainHeight) = Children(context.Quick ? 200 : 1000, g);
        var (testAge, testHeight) = Children(context.Quick ? 100 : 500, g);
        // Standardise with the training statistics so one learning rate suits both axes.
        var (ageMean, ageStd) = (trainAge.Mean().Item(), trainAge.Std().Item());
        var (hMean, hStd) = (trainHeight.Mean().Item(), trainHeight.Std().Item());
        var model = new Sequential(new Linear(1, 16, generator: g), new Tanh(), new Linear(16, 1, generator: g));
        var optimizer = new Adam(model.Parameters(), learningRate: 0.02f);
        var steps = context.Quick ? 300 : 1000;
        var xs = ((trainAge - ageMean) / ageStd).Unsqueeze(1);
        var ys = ((trainHeight - hMean) / hStd).Unsqueeze(1);
        var losses = new double[steps];
        for (var step = 0; step < steps; step++)
        {
            using var scope = TensorScope.Begin();
            optimizer.ZeroGrad();
            var loss = Losses.Mse(model.Forward(xs), ys);
            loss.Backward();
            losses[step] = loss.Item() * hStd * hStd; // in cm²
            optimizer.Step();
        }
        Tensor prediction;
        using (Autograd.NoGrad()) prediction = model.Forward(((testAge - ageMean) / ageStd).Unsqueeze(1)).Squeeze(1) * hStd + hMean;
        var testMae = Losses.Mae(prediction, testHeight).Item();
        var testRmse = Losses.Rmse(prediction, testHeight).Item();
        var r2 = 1.0 - (prediction - testHeight).Pow(2f).Sum().Item() / (testHeight - testHeight.Mean()).Pow(2f).Sum().Item();
        context.Say($"   height from age: {trainAge.Shape[0]} training / {testAge.Shape[0]} test children aged 2-19, noise sd 6 cm");
        context.Say($"   1-16-1 tanh network, Adam, {steps} steps: test MAE {testMae:0.00} cm, RMSE {testRmse:0.00} cm, R² {r2:0.000}");

        var grid = Enumerable.Range(0, 35).Select(i => 2f + i * 0.5f).ToArray();
        float[] curve;
        using (Autograd.NoGrad()) curve = (model.Forward(((Tensor.FromArray(grid, grid.Length) - ageMean) / ageStd).Unsqueeze(1)).Squeeze(1) * hStd + hMean).ToArray();
        var scatter = DemoScatter.Points(testAge.ToArray().Take(100).ToArray(), testHeight.ToArray().Take(100).ToArray());
        context.SaveChart("height-fit.svg", SvgChart.Line("Height from age", "age (years)", "height (cm)")
            .Series("test children", scatter.X, scatter.Y).Series("model", [.. grid.Select(v => (double)v)], [.. curve.Select(v => (double)v)]));
        context.SaveChart("height-loss.svg", SvgChart.Line("Training MSE", "step", "MSE (cm²)").Series("train", losses).LogY());
        return new DemoResult
        {
            ["example_mse"] = mse,
            ["example_rmse"] = rmse,
            ["example_mae"] = mae,
            ["test_mae"] = testMae,
            ["test_rmse"] = testRmse,
            ["test_r2"] = r2,
        };
    }

    /// <summary>Ages uniform in [2, 19]; heights on the growth curve plus N(0, 6²) cm.</summary>
    internal static (Tensor Age, Tensor Height) Children(int count, Generator g)
    {
        var age = (Tensor.Rand([count], g) * 17f + 2f).ToArray();
        var noise = Tensor.Randn([count], g).ToArray();
        var height = new float[count];
        for (var i = 0; i < count; i++) height[i] = Median(age[i]) + 6f * noise[i];
        return (Tensor.FromArray(age, count), Tensor.FromArray(height, count));
    }

    /// <summary>The growth curve, linearly interpolated.</summary>
    internal static float Median(float age)
    {
        for (var k = 1; k < GrowthCurve.Length; k++)
        {
            var (a0, h0) = GrowthCurve[k - 1];
            var (a1, h1) = GrowthCurve[k];
            if (age <= a1) return h0 + (h1 - h0) * (age - a0) / (a1 - a0);
        }
        return GrowthCurve[^1].Height;
    }
}

/// <summary>Scatter plots on a line chart: a NaN after every point breaks the line, so each point is drawn as a lone dot.</summary>
internal static class DemoScatter
{
    public static (double[] X, double[] Y) Points(IReadOnlyList<float> xs, IReadOnlyList<float> ys)
    {
        var x = new double[2 * xs.Count];
        var y = new double[2 * xs.Count];
        for (var i = 0; i < xs.Count; i++)
        {
            (x[2 * i], y[2 * i]) = (xs[i], ys[i]);
            (x[2 * i + 1], y[2 * i + 1]) = (xs[i], double.NaN);
        }
        return (x, y);
    }
}
