using System.CommandLine;
using System.Globalization;
using Nabla.Cli.Demos;

namespace Nabla.Cli.Commands;

/// <summary>
/// <c>nabla demo [NAME] [--list] [--quick] [--out DIR]</c>. Without a name: tensors and autograd on real numbers
/// (1) regression error of five height predictions; (2) fitting a line by gradient descent. With a name: that
/// concept demo (see <see cref="Demo"/>); <c>--list</c> prints them all.
/// </summary>
internal static class DemoCommand
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static Command Create()
    {
        var name = new Argument<string?>("name") { Description = "A concept demo (see --list); without one, tensors and autograd on real numbers.", Arity = ArgumentArity.ZeroOrOne };
        var list = new Option<bool>("--list") { Description = "List the concept demos." };
        var quick = new Option<bool>("--quick") { Description = "Smaller data and fewer epochs (the same effect, faster)." };
        var outDir = new Option<DirectoryInfo?>("--out") { Description = "Folder for the charts (default: runs/demo-NAME)." };
        var command = new Command("demo", "Watch a deep-learning concept happen on real numbers; `nabla demo --list` shows them.") { name, list, quick, outDir };
        command.SetAction(parseResult =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            if (parseResult.GetValue(list))
            {
                foreach (var demo in Demo.All) output.WriteLine($"{demo.Name,-22} {demo.Description}");
                return 0;
            }
            var chosen = parseResult.GetValue(name);
            if (chosen is null) return Run(output);
            var found = Demo.Find(chosen);
            if (found is null)
            {
                parseResult.InvocationConfiguration.Error.WriteLine($"error: no demo named '{chosen}'; `nabla demo --list` shows them: {string.Join(", ", Demo.All.Select(d => d.Name))}.");
                return 1;
            }
            var folder = parseResult.GetValue(outDir)?.FullName ?? Path.Combine("runs", "demo-" + found.Name);
            output.WriteLine($"{found.Name}: {found.Description}");
            found.Run(new DemoContext(output, folder, parseResult.GetValue(quick)));
            return 0;
        });
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
