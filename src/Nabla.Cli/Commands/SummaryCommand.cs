using System.CommandLine;
using Nabla.Specs;

namespace Nabla.Cli.Commands;

/// <summary><c>nabla summary SPEC</c>: the layer table of a spec's model, without loading its data.</summary>
internal static class SummaryCommand
{
    public static Command Create()
    {
        var spec = new Argument<FileInfo>("spec") { Description = "The model spec (JSON), e.g. examples/mnist-cnn.json." };
        var command = new Command("summary", "Print the layers of a spec's model with their output shapes and parameter counts.") { spec };
        command.SetAction(parseResult =>
        {
            try
            {
                return Run(parseResult.GetValue(spec)!, parseResult.InvocationConfiguration.Output);
            }
            catch (Exception e) when (ModelInputs.IsUserError(e))
            {
                return ModelInputs.Fail(parseResult.InvocationConfiguration.Error, e);
            }
        });
        return command;
    }

    internal static int Run(FileInfo specFile, TextWriter output)
    {
        var spec = TrainingSpec.Load(specFile.FullName);
        var shape = InputShape(spec, specFile);
        var model = spec.BuildModel(shape);
        output.WriteLine($"{spec.Name}: inputs [{string.Join(", ", shape)}]");
        output.Write(model.Summary([1, .. shape]));
        return 0;
    }

    /// <summary>One example's shape: MNIST digits are [1, 28, 28]; a CSV file has one feature per header column but the target.</summary>
    internal static int[] InputShape(TrainingSpec spec, FileInfo specFile)
    {
        if (spec.Data.Format == "mnist") return [1, 28, 28];
        var path = FindData(spec.Data.Path, specFile);
        var header = File.ReadLines(path).FirstOrDefault(l => l.Trim().Length > 0)?.Split(',').Select(h => h.Trim()).ToArray()
            ?? throw new SpecException("data.path", $"{path} is empty; expected a header row.");
        if (!header.Contains(spec.Data.Target)) throw new SpecException("data.target", $"{path} has no column '{spec.Data.Target}'; its header has: {string.Join(", ", header)}.");
        return [header.Length - 1];
    }

    /// <summary>The data file as <c>nabla train</c> finds it: from the working directory, or the nearest folder above the spec that has it.</summary>
    private static string FindData(string path, FileInfo specFile)
    {
        if (Path.IsPathRooted(path) || File.Exists(path)) return path;
        for (var dir = specFile.Directory; dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, path);
            if (File.Exists(candidate)) return candidate;
        }
        throw new SpecException("data.path", $"'{path}' was not found in {Directory.GetCurrentDirectory()} or any folder above {specFile.DirectoryName}.");
    }
}
