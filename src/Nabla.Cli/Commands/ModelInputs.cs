using System.Globalization;
using Nabla.Data;
using Nabla.NN;
using Nabla.Specs;

namespace Nabla.Cli.Commands;

/// <summary>What <c>nabla evaluate</c>, <c>predict</c> and <c>summary</c> share: loading models and data, model outputs, error lines.</summary>
internal static class ModelInputs
{
    public const string BundledMnist = "data/mnist";

    /// <summary>
    /// NOTE: a saved model records image normalisation but not the per-feature standardisation of CSV training data
    /// (data.standardize, on by default), so CSV features go in as they are in the file.
    /// </summary>

    /// <summary>Loads a saved model from a model folder or a run folder (which holds <c>model/</c>).</summary>
    public static SavedModel LoadModel(string runOrModel)
    {
        if (File.Exists(runOrModel)) throw new ArgumentException($"{runOrModel} is a file; expected a run folder (runs/<name>) or a model folder (runs/<name>/model).");
        if (!Directory.Exists(runOrModel)) throw new DirectoryNotFoundException($"No such folder: {runOrModel}; expected a run folder (runs/<name>) or a model folder.");
        return SavedModel.Load(runOrModel);
    }

    /// <summary>True for models of one grey image [1, H, W] (or [H, W]).</summary>
    public static bool TakesGreyImages(SavedModel model) => model.InputShape is [1, > 0, > 0] or [> 0, > 0];

    /// <summary>
    /// <c>data/mnist</c> in the working directory or a folder above it, or in a folder above <paramref name="near"/>
    /// (the model): the bundled digits of a clone of the repository.
    /// </summary>
    public static string FindBundledMnist(string near) =>
        DataFolders.Find(BundledMnist, Directory.GetCurrentDirectory(), near)
        ?? throw new DirectoryNotFoundException($"the bundled MNIST data ({BundledMnist}) is not in {Directory.GetCurrentDirectory()}, above it, or above {near}; pass --data DIR.");

    /// <summary>
    /// <paramref name="inputs"/> [N, ...] reshaped to [N, model input shape] when the sizes agree (e.g. [N, 28, 28] IDX
    /// images for a [1, 28, 28] model); otherwise a clear error naming both shapes.
    /// </summary>
    public static Tensor FitInputs(SavedModel model, Tensor inputs, string source)
    {
        var perExample = model.InputShape.Aggregate(1L, (a, b) => a * b);
        var n = inputs.Rank == 0 ? 0 : inputs.Shape[0];
        var given = inputs.Rank <= 1 ? 1 : inputs.Shape.ToArray()[1..].Aggregate(1L, (a, b) => a * b);
        if (inputs.Rank < 1 || given != perExample)
        {
            throw new ArgumentException($"{source}: examples of shape [{string.Join(", ", inputs.Shape.ToArray().Skip(1))}] do not fit the model {model.Name}, which expects inputs [{string.Join(", ", model.InputShape)}].");
        }
        return inputs.Reshape([n, .. model.InputShape]);
    }

    /// <summary>Model outputs for raw inputs, 256 examples at a time (so a convolutional model never holds the whole set's activations).</summary>
    public static Tensor Outputs(SavedModel model, Tensor inputs)
    {
        var parts = new List<Tensor>();
        for (var start = 0; start < inputs.Shape[0]; start += 256)
        {
            using var scope = TensorScope.Begin();
            parts.Add(scope.Keep(model.Predict(inputs.Narrow(0, start, Math.Min(256, inputs.Shape[0] - start)))));
        }
        return parts.Count == 1 ? parts[0] : Tensor.Concat(parts);
    }

    /// <summary>Class probabilities from outputs [N, C]: as they are after a Softmax layer, exp after LogSoftmax, softmax otherwise; one score [N, 1]: sigmoid.</summary>
    public static Tensor Probabilities(SavedModel model, Tensor outputs)
    {
        var last = model.Model.Count == 0 ? null : model.Model[model.Model.Count - 1];
        using var noGrad = Autograd.NoGrad();
        if (outputs.Rank == 2 && outputs.Shape[1] == 1) return Functional.Sigmoid(outputs);
        return last switch
        {
            Softmax => outputs,
            LogSoftmax => outputs.Exp(),
            _ => Functional.Softmax(outputs, 1),
        };
    }

    /// <summary>A class name, or the index when the model has no names.</summary>
    public static string ClassName(SavedModel model, int index) =>
        model.Classes is { } names && index >= 0 && index < names.Count ? names[index] : index.ToString(CultureInfo.InvariantCulture);

    /// <summary>Reads a CSV file's features for the model: every column but the target (named, or the one text column, or the extra last column).</summary>
    public static CsvTable ReadCsv(SavedModel model, string path, string? target, bool needTarget)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"CSV file not found: {path}", path);
        var header = File.ReadLines(path).FirstOrDefault(l => l.Trim().Length > 0)?.Split(',').Select(h => h.Trim()).ToArray()
            ?? throw new InvalidDataException($"{path}: the file is empty; expected a header row.");
        var features = model.InputShape.Length == 1 ? model.InputShape[0] : -1;
        if (target is null && (needTarget || header.Length == features + 1)) target = header[^1];
        if (target is null)
        {
            // Every column is a feature: add a dummy target column so Csv's checks and messages apply as usual.
            var lines = File.ReadAllLines(path).Where(l => l.Trim().Length > 0).Select((l, i) => l + (i == 0 ? ",__target" : ",0")).ToArray();
            return Csv.Parse(lines, path, "__target");
        }
        return Csv.Load(path, target);
    }

    /// <summary>Exceptions that mean bad input (a message for the user, not a crash).</summary>
    public static bool IsUserError(Exception e) =>
        e is SpecException or FileNotFoundException or DirectoryNotFoundException or InvalidDataException or ArgumentException or IOException or UnauthorizedAccessException;

    /// <summary>Writes <c>error: message</c> on one line and returns exit code 1.</summary>
    public static int Fail(TextWriter error, Exception e)
    {
        error.WriteLine("error: " + string.Join(' ', e.Message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)));
        return 1;
    }
}
