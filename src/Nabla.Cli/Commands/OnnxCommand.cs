using System.CommandLine;
using System.Globalization;
using Nabla.Onnx;

namespace Nabla.Cli.Commands;

/// <summary>
/// <c>nabla onnx inspect MODEL.onnx</c> (inputs, outputs, opset, operator histogram) and
/// <c>nabla onnx run MODEL.onnx --inputs DIR --out DIR</c> (the ONNX test-data layout: input_&lt;i&gt;.pb in, output_&lt;i&gt;.pb out).
/// </summary>
internal static class OnnxCommand
{
    public static Command Create()
    {
        var command = new Command("onnx", "Inspect or run ONNX models.");
        command.Subcommands.Add(Inspect());
        command.Subcommands.Add(RunCommand());
        return command;
    }

    private static Command Inspect()
    {
        var file = new Argument<FileInfo>("model") { Description = "The .onnx file." };
        var command = new Command("inspect", "Print a model's inputs, outputs, opset and operator histogram.") { file };
        command.SetAction(parseResult => Guard(parseResult, output => Inspect(parseResult.GetValue(file)!, output)));
        return command;
    }

    private static Command RunCommand()
    {
        var file = new Argument<FileInfo>("model") { Description = "The .onnx file." };
        var inputs = new Option<DirectoryInfo>("--inputs") { Description = "Folder with input_0.pb, input_1.pb, ... (serialized TensorProto, one per graph input in order).", Required = true };
        var outDir = new Option<DirectoryInfo>("--out") { Description = "Folder to write output_0.pb, output_1.pb, ... (one per graph output in order).", Required = true };
        var command = new Command("run", "Run a model on TensorProto inputs and write its outputs as TensorProto files.") { file, inputs, outDir };
        command.SetAction(parseResult => Guard(parseResult, output => Run(parseResult.GetValue(file)!, parseResult.GetValue(inputs)!, parseResult.GetValue(outDir)!, output)));
        return command;
    }

    private static int Guard(ParseResult parseResult, Func<TextWriter, int> action)
    {
        try
        {
            return action(parseResult.InvocationConfiguration.Output);
        }
        catch (Exception e) when (e is IOException or ArgumentException or NotSupportedException or UnauthorizedAccessException)
        {
            parseResult.InvocationConfiguration.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    internal static int Inspect(FileInfo file, TextWriter output)
    {
        var model = OnnxModel.Load(file.FullName);
        var weights = model.Initializers;
        output.WriteLine($"{file.Name}: IR version {model.IrVersion}, opset {model.Opset}, produced by {(model.ProducerName.Length > 0 ? $"{model.ProducerName} {model.ProducerVersion}".Trim() : "(unknown)")}");
        output.WriteLine("Inputs:");
        foreach (var input in model.Inputs) output.WriteLine($"  {input}");
        output.WriteLine("Outputs:");
        foreach (var o in model.Outputs) output.WriteLine($"  {o}");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Weights: {weights.Count} tensors, {weights.Values.Sum(w => (long)w.Count):N0} parameters"));
        output.WriteLine($"Operators ({model.OperatorCounts.Values.Sum()} nodes):");
        var width = model.OperatorCounts.Keys.Select(k => k.Length).DefaultIfEmpty(0).Max();
        foreach (var (op, count) in model.OperatorCounts)
        {
            var mark = model.UnsupportedOperators.Contains(op) ? "  (not supported by Nabla)" : "";
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {op.PadRight(width)}  {count,5}{mark}"));
        }
        if (model.UnsupportedOperators.Count > 0) output.WriteLine($"Unsupported: {string.Join(", ", model.UnsupportedOperators)}");
        return 0;
    }

    internal static int Run(FileInfo file, DirectoryInfo inputFolder, DirectoryInfo outFolder, TextWriter output)
    {
        var model = OnnxModel.Load(file.FullName);
        var inputs = new Dictionary<string, OnnxValue>(StringComparer.Ordinal);
        for (var i = 0; i < model.Inputs.Count; i++)
        {
            var path = Path.Combine(inputFolder.FullName, $"input_{i}.pb");
            if (!File.Exists(path)) throw new FileNotFoundException($"{path} is missing: the model has {model.Inputs.Count} inputs ({string.Join(", ", model.Inputs.Select(x => x.Name))}).", path);
            var info = model.Inputs[i];
            var value = OnnxTensors.ReadValue(path);
            inputs[info.Name] = OnnxValue.IsFloatType(info.ElementType) || info.ElementType == Onnx.Proto.OnnxElementType.Undefined
                ? OnnxValue.Float(value.ToTensor())
                : value.Cast(info.ElementType);
        }
        var results = model.RunValues(inputs, null, training: false);
        Directory.CreateDirectory(outFolder.FullName);
        for (var i = 0; i < model.Outputs.Count; i++)
        {
            var name = model.Outputs[i].Name;
            var path = Path.Combine(outFolder.FullName, $"output_{i}.pb");
            OnnxTensors.WriteValue(path, results[name], name);
            output.WriteLine($"{name} [{string.Join(", ", results[name].Shape)}] -> {path}");
        }
        return 0;
    }
}
