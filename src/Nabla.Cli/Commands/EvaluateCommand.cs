using System.CommandLine;
using System.Globalization;
using Nabla.Data;
using Nabla.NN;
using Nabla.Specs;
using Nabla.Training;

namespace Nabla.Cli.Commands;

/// <summary><c>nabla evaluate RUN_OR_MODEL [--data DIR_OR_CSV]</c>: a saved model's loss, accuracy and confusion matrix on test data.</summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var model = new Argument<string>("run-or-model") { Description = "A run folder (runs/<name>) or the model folder inside it." };
        var data = new Option<string?>("--data") { Description = "An IDX folder in the MNIST layout (its t10k-* test files) or a CSV file. Default: the bundled MNIST test split, for models of [1, 28, 28] images." };
        var target = new Option<string?>("--target") { Description = "CSV: the target column (default: the last column)." };
        var command = new Command("evaluate", "Evaluate a saved model on test data: loss, accuracy and the confusion matrix.") { model, data, target };
        command.SetAction(parseResult =>
        {
            try
            {
                return Run(parseResult.GetValue(model)!, parseResult.GetValue(data), parseResult.GetValue(target), parseResult.InvocationConfiguration.Output);
            }
            catch (Exception e) when (ModelInputs.IsUserError(e))
            {
                return ModelInputs.Fail(parseResult.InvocationConfiguration.Error, e);
            }
        });
        return command;
    }

    internal static int Run(string runOrModel, string? dataPath, string? target, TextWriter output)
    {
        var model = ModelInputs.LoadModel(runOrModel);
        var (inputs, targets, source) = LoadData(model, runOrModel, dataPath, target, out var warning);
        var outputs = ModelInputs.Outputs(model, ModelInputs.FitInputs(model, inputs, source));
        output.WriteLine($"Model: {model.Name}, inputs [{string.Join(", ", model.InputShape)}]{(model.Classes is { } c ? $", {c.Count} classes" : "")}");
        output.WriteLine($"Data: {source}, {inputs.Shape[0]} examples");
        if (warning is not null) output.WriteLine(warning);
        if (model.Classes is null)
        {
            var figures = new Metric[] { new MeanAbsoluteError(), new RootMeanSquaredError(), new RSquared() };
            foreach (var m in figures) m.Update(outputs, targets);
            var mse = Losses.Mse(outputs.Reshape(targets.Shape.ToArray()), targets).Item();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"loss (mse) {mse:0.0000}  ") + string.Join("  ", figures.Select(m => string.Create(CultureInfo.InvariantCulture, $"{m.Name} {m.Result():0.0000}"))));
            return 0;
        }
        var loss = outputs.Rank == 2 && outputs.Shape[1] > 1
            ? Losses.CrossEntropy(outputs, targets).Item()
            : Losses.BinaryCrossEntropyWithLogits(outputs.Reshape(-1), targets.Reshape(-1)).Item();
        var matrix = new ConfusionMatrix();
        matrix.Update(outputs, targets);
        var f1 = new F1Score();
        f1.Update(outputs, targets);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"loss {loss:0.0000}  accuracy {matrix.Result():0.0000}  macro f1 {f1.Result():0.0000}"));
        output.WriteLine();
        output.WriteLine("Confusion matrix (rows: actual, columns: predicted):");
        output.WriteLine(matrix.Format(model.Classes));
        return 0;
    }

    /// <summary>Inputs, class-index (or value) targets in the model's class order, and a description of where they came from.</summary>
    private static (Tensor Inputs, Tensor Targets, string Source) LoadData(SavedModel model, string runOrModel, string? dataPath, string? target, out string? warning)
    {
        warning = null;
        if (dataPath is null)
        {
            if (!ModelInputs.TakesGreyImages(model) || model.InputShape[^1] != 28 || model.InputShape[^2] != 28)
            {
                throw new ArgumentException($"--data is required: the model takes inputs [{string.Join(", ", model.InputShape)}], not 28x28 MNIST digits.");
            }
            var folder = ModelInputs.FindBundledMnist(runOrModel);
            var test = Mnist.Load(folder, train: false);
            return (test.Inputs, test.Targets, $"MNIST test split ({folder})");
        }
        if (Directory.Exists(dataPath))
        {
            var test = Mnist.Load(dataPath, train: false);
            return (test.Inputs, test.Targets, $"IDX test split ({dataPath})");
        }
        if (!File.Exists(dataPath)) throw new FileNotFoundException($"--data: no such file or folder: {dataPath}", dataPath);
        if (!dataPath.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"--data: {dataPath} is neither a folder of IDX files nor a .csv file.");
        }
        var table = ModelInputs.ReadCsv(model, dataPath, target, needTarget: true);
        return (table.Features, ClassIndices(model, table, dataPath), $"{dataPath} (target '{table.TargetName}')");
    }

    /// <summary>
    /// The CSV's targets as indices into the model's classes: text labels are matched by name (the file may list
    /// them in another order than training did); numeric labels must already be class indices.
    /// </summary>
    private static Tensor ClassIndices(SavedModel model, CsvTable table, string path)
    {
        if (model.Classes is not { } classes) return table.Targets;
        var codes = table.Targets.ToArray();
        if (table.Classes is { } names)
        {
            var index = classes.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => p.i, StringComparer.Ordinal);
            var unknown = names.FirstOrDefault(n => !index.ContainsKey(n));
            if (unknown is not null) throw new ArgumentException($"{path}: class '{unknown}' is not one of the model's classes ({string.Join(", ", classes)}).");
            return Tensor.FromArray([.. codes.Select(c => (float)index[names[(int)c]])], codes.Length);
        }
        var bad = codes.FirstOrDefault(c => c < 0 || c >= classes.Count || c != MathF.Round(c), float.NaN);
        if (!float.IsNaN(bad)) throw new ArgumentException($"{path}: target {bad} is not a class index in [0, {classes.Count}).");
        return table.Targets;
    }
}
