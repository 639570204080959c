using System.CommandLine;
using System.Globalization;

namespace Nabla.Cli.Commands;

/// <summary>
/// <c>nabla demo</c>: tensors and autograd on real numbers. (1) regression error of five height
/// predictions; (2) fitting a line by gradient descent.
/// </summary>
internal static class DemoCommand
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static Command Create()
    {
        var command = new Command("demo", "Run a short tensor and autograd demonstration on real numbers.");
        command.SetAction(parseResult => Run(parseResult.InvocationConfiguration.Output));
        return command;
    }

    internal static int Run(TextWriter output)
    {
        Heights(output);
        output.WriteLine();
        FitLine(output);
        return 0;
    }

    /// <summary>MSE and RMSE of predicted vs actual heights, with tensor ops.</summary>
    private static void Heights(TextWriter o)
    {
        o.WriteLine("1. Regression error of five height predictions (tensor ops)");
        var actual = Tensor.FromArray(170f, 165f, 160f, 155f, 150f);    // [5], cm
        var predicted = Tensor.FromArray(165f, 170f, 162f, 157f, 153f); // [5], cm
        var squared = (predicted - actual).Pow(2f);                     // [5], cm²
        var mse = squared.Mean();                                       // []
        var rmse = mse.Sqrt();                                          // []
        o.WriteLine($"   actual     {List(actual)} cm");
        o.WriteLine($"   predicted  {List(predicted)} cm");
        o.WriteLine($"   squared    {List(squared)} cm²  = (predicted - actual)²");
        o.WriteLine(string.Create(Inv, $"   MSE  = mean(squared)  = {mse.Item():0.0} cm²"));
        o.WriteLine(string.Create(Inv, $"   RMSE = sqrt(MSE)      = {rmse.Item():0.00} cm  (same unit as the heights)"));
    }

    /// <summary>Learns y = w·x + b from noisy samples by gradient descent on the mean squared error.</summary>
    private static void FitLine(TextWriter o)
    {
        const float trueW = 2.5f, trueB = -1f, learningRate = 0.1f;
        const int samples = 64, steps = 40, every = 5;

        var generator = new Generator(seed: 42);
        var x = Tensor.Rand([samples], generator) * 4f - 2f;                        // [64], uniform in [-2, 2)
        var y = x * trueW + trueB + Tensor.Randn([samples], generator) * 0.1f;      // [64], noise σ = 0.1
        o.WriteLine(string.Create(Inv, $"2. Fit y = w·x + b by gradient descent ({samples} noisy samples of y = {trueW}·x - {-trueB}, seed 42)"));

        var w = Tensor.Scalar(0f).RequireGrad();
        var b = Tensor.Scalar(0f).RequireGrad();
        for (var step = 1; step <= steps; step++)
        {
            var error = x * w + b - y;           // [64]
            var loss = (error * error).Mean();   // []
            loss.Backward();                     // fills w.Grad and b.Grad
            using (Autograd.NoGrad())
            {
                w.SubInPlace(w.Grad! * learningRate);
                b.SubInPlace(b.Grad! * learningRate);
            }
            w.ZeroGrad();
            b.ZeroGrad();
            if (step == 1 || step % every == 0)
            {
                o.WriteLine(string.Create(Inv, $"   step {step,3}  loss {loss.Item(),9:0.000000}"));
            }
        }
        o.WriteLine(string.Create(Inv, $"   learned  w = {w.Item():0.000}  b = {b.Item():0.000}"));
        o.WriteLine(string.Create(Inv, $"   true     w = {trueW:0.000}  b = {trueB:0.000}"));
    }

    private static string List(Tensor t) => string.Join(", ", t.ToArray().Select(v => v.ToString("0.##", Inv)));
}
