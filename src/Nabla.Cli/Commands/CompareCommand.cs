using System.CommandLine;
using System.Globalization;
using Nabla.Data;
using Nabla.Mathematics;
using Nabla.Specs;

namespace Nabla.Cli.Commands;

/// <summary>
/// <c>nabla compare RUN_A RUN_B</c>: both models' test accuracy with 95% Wilson intervals and McNemar's test on their
/// predictions for the same test examples, with a one-line verdict.
/// </summary>
internal static class CompareCommand
{
    public static Command Create()
    {
        var runA = new Argument<DirectoryInfo>("run-a") { Description = "A run folder (or model folder)." };
        var runB = new Argument<DirectoryInfo>("run-b") { Description = "Another run folder (or model folder)." };
        var data = new Option<string>("--data") { Description = "The MNIST folder whose test split both models are scored on.", DefaultValueFactory = _ => "data/mnist" };
        var command = new Command("compare", "Is model A really better than model B? Accuracy with confidence intervals and McNemar's test on the same test set.") { runA, runB, data };
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            try
            {
                return Run(parse.GetValue(runA)!.FullName, parse.GetValue(runB)!.FullName, parse.GetValue(data)!, output);
            }
            catch (Exception e) when (e is FileNotFoundException or InvalidDataException or ArgumentException or SpecException or IOException)
            {
                parse.InvocationConfiguration.Error.WriteLine($"error: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    internal static int Run(string a, string b, string dataDirectory, TextWriter output)
    {
        var modelA = SavedModel.Load(a);
        var modelB = SavedModel.Load(b);
        if (!modelA.InputShape.SequenceEqual(modelB.InputShape))
        {
            throw new ArgumentException($"the models take different inputs ([{string.Join(", ", modelA.InputShape)}] and [{string.Join(", ", modelB.InputShape)}]); compare models of the same task.");
        }
        var test = Mnist.Load(dataDirectory, train: false);
        if (!test.Inputs.Shape.ToArray()[1..].SequenceEqual(modelA.InputShape))
        {
            throw new ArgumentException($"the test images are [{string.Join(", ", test.Inputs.Shape.ToArray()[1..])}] but the models take [{string.Join(", ", modelA.InputShape)}].");
        }
        var predictionsA = ModelInputs.Outputs(modelA, test.Inputs).ArgMax(1);
        var predictionsB = ModelInputs.Outputs(modelB, test.Inputs).ArgMax(1);
        var result = ModelComparison.Compare(predictionsA, predictionsB, test.Targets);
        var inv = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(inv, $"{test.Count} test examples"));
        output.WriteLine(string.Create(inv, $"A {modelA.Name,-20} accuracy {Format(result.AccuracyA)}"));
        output.WriteLine(string.Create(inv, $"B {modelB.Name,-20} accuracy {Format(result.AccuracyB)}"));
        output.WriteLine(string.Create(inv, $"only A right: {result.OnlyACorrect}, only B right: {result.OnlyBCorrect}"));
        output.WriteLine(string.Create(inv, $"{result.McNemar.Test}: statistic {result.McNemar.Statistic:0.###}, p = {result.McNemar.PValue:0.####}"));
        output.WriteLine(result.Verdict);
        return 0;
    }

    private static string Format(Interval interval) => string.Create(CultureInfo.InvariantCulture,
        $"{100 * interval.Estimate:0.00}% ({100 * interval.Level:0}% interval {100 * interval.Lower:0.00}-{100 * interval.Upper:0.00}%)");
}
