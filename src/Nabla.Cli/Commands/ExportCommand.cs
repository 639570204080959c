using System.CommandLine;
using Nabla.Onnx;
using Nabla.Specs;

namespace Nabla.Cli.Commands;

/// <summary><c>nabla export RUN_OR_MODEL --onnx FILE</c>: writes a saved model (or a run folder's model) as ONNX.</summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var source = new Argument<DirectoryInfo>("model") { Description = "A run folder (runs/<name>) or a saved model folder (with model.json)." };
        var onnx = new Option<FileInfo>("--onnx") { Description = "The .onnx file to write.", Required = true };
        var command = new Command("export", "Export a trained model to ONNX (opset 17, dynamic batch axis, input normalisation included).") { source, onnx };
        command.SetAction(parseResult =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            try
            {
                return Run(parseResult.GetValue(source)!, parseResult.GetValue(onnx)!, output);
            }
            catch (Exception e) when (e is SpecException or IOException or ArgumentException or NotSupportedException or UnauthorizedAccessException)
            {
                parseResult.InvocationConfiguration.Error.WriteLine($"error: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    internal static int Run(DirectoryInfo source, FileInfo target, TextWriter output)
    {
        var saved = SavedModel.Load(source.FullName);
        Nabla.Onnx.Onnx.Export(saved, target.FullName);
        var model = OnnxModel.Load(target.FullName);
        output.WriteLine($"Exported {saved.Name} to {target.FullName} ({target.Length:N0} bytes, opset {model.Opset}).");
        output.WriteLine($"  input  {string.Join(", ", model.Inputs)}{(saved.NormalizeMean is null ? "" : " (raw: normalisation is part of the graph)")}");
        output.WriteLine($"  output {string.Join(", ", model.Outputs)}{(saved.Classes is { } c ? $" (classes: {string.Join(", ", c)})" : "")}");
        return 0;
    }
}
