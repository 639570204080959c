using System.CommandLine;
using Nabla.Specs;
using Nabla.Training;

namespace Nabla.Cli.Commands;

/// <summary><c>nabla cv SPEC --folds K</c>: k-fold cross-validation of a spec's model on its training split.</summary>
internal static class CrossValidateCommand
{
    public static Command Create()
    {
        var spec = new Argument<FileInfo>("spec") { Description = "The model spec (JSON)." };
        var folds = new Option<int>("--folds") { Description = "Number of folds (stratified for class targets).", DefaultValueFactory = _ => 5 };
        var epochs = new Option<int?>("--epochs") { Description = "Override the spec's epochs per fold." };
        var command = new Command("cv", "Cross-validate a spec's model: per-fold validation figures with their mean and standard deviation.") { spec, folds, epochs };
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            try
            {
                var file = parse.GetValue(spec)!;
                var loaded = TrainingSpec.Load(file.FullName);
                if (parse.GetValue(epochs) is { } e) loaded.Epochs = e > 0 ? e : throw new ArgumentException($"--epochs must be positive; got {e}.");
                var k = parse.GetValue(folds);
                var data = loaded.Data.Load(SpecFiles.DataRoot(loaded, file), loaded.Seed);
                output.WriteLine($"{k}-fold cross-validation of {loaded.Name} on {data.Train.Count} training examples, {loaded.Epochs} epochs per fold");
                var fold = 0;
                var result = CrossValidation.Run(data.Train, k, () =>
                {
                    Generator.ManualSeed(loaded.Seed + (ulong)fold++);
                    var model = loaded.BuildModel(data.ExampleShape);
                    return new Trainer(model, loaded.BuildOptimizer(model), loaded.BuildLoss(), loaded.BuildMetrics());
                }, loaded.Epochs, loaded.BatchSize, loaded.Seed, stratified: data.Classes is not null);
                output.Write(result.Format());
                return 0;
            }
            catch (Exception ex) when (ex is SpecException or FileNotFoundException or InvalidDataException or ArgumentException)
            {
                parse.InvocationConfiguration.Error.WriteLine($"error: {ex.Message}");
                return 1;
            }
        });
        return command;
    }
}
