using System.CommandLine;
using System.Globalization;
using Nabla.Data;
using Nabla.Serving.Images;
using Nabla.Specs;

namespace Nabla.Cli.Commands;

/// <summary><c>nabla predict RUN_OR_MODEL INPUT</c>: a saved model's predictions for a PNG image, an IDX images file or a CSV file.</summary>
internal static class PredictCommand
{
    public static Command Create()
    {
        var model = new Argument<string>("run-or-model") { Description = "A run folder (runs/<name>) or the model folder inside it." };
        var input = new Argument<string>("input") { Description = "A PNG image (image models), an IDX images file (.gz or plain), or a CSV file of features." };
        var count = new Option<int>("--count") { Description = "IDX/CSV: print the first N predictions.", DefaultValueFactory = _ => 20 };
        var target = new Option<string?>("--target") { Description = "CSV: a column to ignore (the target), if the file has one." };
        var command = new Command("predict", "Predict with a saved model: class probabilities for a PNG image, or the predicted class of each example in an IDX or CSV file.")
        {
            model, input, count, target,
        };
        command.SetAction(parseResult =>
        {
            try
            {
                return Run(parseResult.GetValue(model)!, parseResult.GetValue(input)!, parseResult.GetValue(count), parseResult.GetValue(target), parseResult.InvocationConfiguration.Output);
            }
            catch (Exception e) when (ModelInputs.IsUserError(e))
            {
                return ModelInputs.Fail(parseResult.InvocationConfiguration.Error, e);
            }
        });
        return command;
    }

    internal static int Run(string runOrModel, string inputPath, int count, string? target, TextWriter output)
    {
        if (count < 1) throw new ArgumentException($"--count must be positive; got {count}.");
        var model = ModelInputs.LoadModel(runOrModel);
        if (!File.Exists(inputPath)) throw new FileNotFoundException($"Input file not found: {inputPath}", inputPath);
        Span<byte> start = stackalloc byte[8];
        using (var file = File.OpenRead(inputPath)) start = start[..file.ReadAtLeast(start, 8, throwOnEndOfStream: false)];
        if (Png.HasSignature(start) || inputPath.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
        {
            PredictImage(model, inputPath, output);
            return 0;
        }
        Tensor inputs;
        var csv = inputPath.EndsWith(".csv", StringComparison.OrdinalIgnoreCase);
        if (csv) inputs = ModelInputs.ReadCsv(model, inputPath, target, needTarget: false).Features;
        else
        {
            var (shape, bytes) = Idx.Read(inputPath);
            inputs = Tensor.FromArray(Array.ConvertAll(bytes, b => b / 255f), shape);
        }
        inputs = ModelInputs.FitInputs(model, inputs, inputPath);
        var n = inputs.Shape[0];
        var shown = Math.Min(count, n);
        var outputs = ModelInputs.Outputs(model, inputs.Narrow(0, 0, shown));
        output.WriteLine($"{inputPath}: {n} examples{(shown < n ? $", the first {shown} shown" : "")}");
        if (model.Classes is null)
        {
            var values = outputs.Reshape(shown, -1).ToArray();
            var width = values.Length / Math.Max(1, shown);
            for (var i = 0; i < shown; i++)
            {
                output.WriteLine($"{i,6}  {string.Join(" ", values.Skip(i * width).Take(width).Select(v => v.ToString("0.####", CultureInfo.InvariantCulture)))}");
            }
            return 0;
        }
        var probabilities = ModelInputs.Probabilities(model, outputs);
        for (var i = 0; i < shown; i++)
        {
            var (best, p) = Best(probabilities.Select(0, i).ToArray());
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{i,6}  {ModelInputs.ClassName(model, best)}  (p = {p:0.0000})"));
        }
        return 0;
    }

    /// <summary>A PNG picture of one example: decoded, made grey, resized and given MNIST polarity; prints every class probability.</summary>
    private static void PredictImage(SavedModel model, string path, TextWriter output)
    {
        if (!ModelInputs.TakesGreyImages(model))
        {
            throw new ArgumentException($"{path}: a PNG input needs a model of grey images [1, H, W]; {model.Name} takes inputs [{string.Join(", ", model.InputShape)}].");
        }
        var (height, width) = (model.InputShape[^2], model.InputShape[^1]);
        var image = Png.Read(path);
        var pixels = DigitImage.Prepare(image, height, width);
        var outputs = model.Predict(Tensor.FromArray(pixels, [1, .. model.InputShape]));
        output.WriteLine($"{path}: {image.Width}x{image.Height} image, resized to {width}x{height}");
        if (model.Classes is null)
        {
            output.WriteLine("prediction " + string.Join(" ", outputs.ToArray().Select(v => v.ToString("0.####", CultureInfo.InvariantCulture))));
            return;
        }
        var probabilities = ModelInputs.Probabilities(model, outputs).Select(0, 0).ToArray();
        if (probabilities.Length == 1) probabilities = [1 - probabilities[0], probabilities[0]]; // one sigmoid score: P(class 1)
        var (best, p) = Best(probabilities);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"predicted {ModelInputs.ClassName(model, best)} (p = {p:0.0000})"));
        var nameWidth = Math.Max(5, Enumerable.Range(0, probabilities.Length).Max(c => ModelInputs.ClassName(model, c).Length));
        output.WriteLine($"{"class".PadRight(nameWidth)}  probability");
        for (var c = 0; c < probabilities.Length; c++)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{ModelInputs.ClassName(model, c).PadRight(nameWidth)}  {probabilities[c]:0.0000}"));
        }
    }

    private static (int Index, float Value) Best(float[] p)
    {
        if (p.Length == 1) return (p[0] >= 0.5f ? 1 : 0, p[0] >= 0.5f ? p[0] : 1 - p[0]);
        var best = 0;
        for (var i = 1; i < p.Length; i++) if (p[i] > p[best]) best = i;
        return (best, p[best]);
    }
}
