using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Nabla.Specs;
using Nabla.Training;
using Nabla.Training.Tuning;

namespace Nabla.Cli.Commands;

/// <summary>
/// <c>nabla tune SPEC [--search grid|random|halving] [--trials N] [--epochs E]</c>: hyperparameter search over the spec's
/// <c>"search"</c> section, each configuration scored on validation data held out of the training split (never the test split).
/// </summary>
internal static class TuneCommand
{
    public static Command Create()
    {
        var spec = new Argument<FileInfo>("spec") { Description = "A model spec with a \"search\" section (see docs/spec.md)." };
        var method = new Option<string?>("--search") { Description = "grid, random or halving (successive halving); default: the spec's, else random." };
        method.AcceptOnlyFromAmong("grid", "random", "halving");
        var trials = new Option<int?>("--trials") { Description = "Configurations to try (random search and successive halving)." };
        var epochs = new Option<int?>("--epochs") { Description = "Epochs per trial (successive halving: the smallest budget)." };
        var command = new Command("tune", "Search hyperparameters of a spec and print the trials sorted by validation score.") { spec, method, trials, epochs };
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            try
            {
                return Run(parse.GetValue(spec)!, parse.GetValue(method), parse.GetValue(trials), parse.GetValue(epochs), output);
            }
            catch (Exception ex) when (ex is SpecException or FileNotFoundException or InvalidDataException or ArgumentException or InvalidOperationException)
            {
                parse.InvocationConfiguration.Error.WriteLine($"error: {ex.Message}");
                return 1;
            }
        });
        return command;
    }

    private static int Run(FileInfo file, string? methodOption, int? trialsOption, int? epochsOption, TextWriter output)
    {
        var text = File.ReadAllText(file.FullName);
        var spec = TrainingSpec.Parse(text, file.FullName);
        if (!spec.Root.TryGetProperty("search", out var search) || search.ValueKind != JsonValueKind.Object)
        {
            throw new SpecException("search", "the spec has no \"search\" section; add {\"parameters\": {\"optimizer.lr\": {\"logUniform\": [0.0001, 0.01]}, ...}}.");
        }
        var space = Space(search);
        var method = methodOption ?? (search.TryGetProperty("method", out var m) ? m.GetString() : null) ?? "random";
        var trials = trialsOption ?? (search.TryGetProperty("trials", out var t) && t.TryGetInt32(out var n) ? n : 8);
        var epochs = epochsOption ?? spec.Epochs;
        var metric = search.TryGetProperty("metric", out var me) ? me.GetString()! : "val_loss";
        var baseDirectory = SpecFiles.DataRoot(spec, file);
        // Tuning must not see the test split: validate on a fifth of the training data unless the spec holds out its own.
        var holdOut = spec.Data.Validation == "fraction" ? null : "0.2";
        HyperparameterSearch searcher = method switch
        {
            "grid" => new GridSearch(space, epochs),
            "halving" => new SuccessiveHalving(space, trials, minEpochs: Math.Max(1, epochs / 3), maxEpochs: epochs, seed: spec.Seed),
            _ => new RandomSearch(space, trials, epochs, spec.Seed),
        };
        output.WriteLine($"Tuning {spec.Name} ({method}): {string.Join("; ", space.Parameters.Select(p => p.ToString()))}; scored by {metric} on held-out training data");
        var result = searcher.Run((configuration, budget) =>
        {
            var overrides = configuration.ToList();
            if (holdOut is not null) overrides.Add(new("data.validation", 0.2));
            var trial = TrainingSpec.Parse(SpecOverrides.Apply(text, overrides), file.FullName);
            trial.Epochs = budget;
            var experiment = Experiment.Create(trial, baseDirectory);
            var run = experiment.Run();
            var logs = run.History.Epochs.Count > 0 ? run.History.Epochs[^1] : new Dictionary<string, double>();
            var score = logs.TryGetValue(metric, out var value) ? value : double.NaN;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  trial: {configuration}  epochs {budget}  {metric} {score:0.0000}"));
            return new TrialResult(score, logs, budget);
        }, Nabla.Training.Monitor.Maximize(metric, MonitorMode.Auto) ? MonitorMode.Max : MonitorMode.Min);
        output.Write(result.Format());
        output.WriteLine($"Best: {result.BestConfiguration}");
        return 0;
    }

    /// <summary>The search space from <c>"parameters"</c>: a list of values (a choice), or {"uniform"|"logUniform": [low, high]}, or {"int": [low, high, step]}.</summary>
    private static SearchSpace Space(JsonElement search)
    {
        if (!search.TryGetProperty("parameters", out var parameters) || parameters.ValueKind != JsonValueKind.Object)
        {
            throw new SpecException("search.parameters", "expected an object of field paths to value lists or ranges.");
        }
        var space = new SearchSpace();
        foreach (var p in parameters.EnumerateObject())
        {
            var path = $"search.parameters.{p.Name}";
            var v = p.Value;
            if (v.ValueKind == JsonValueKind.Array)
            {
                space.Choice(p.Name, [.. v.EnumerateArray().Select(e => Value(e, path))]);
                continue;
            }
            if (v.ValueKind == JsonValueKind.Object && v.EnumerateObject().SingleOrDefault() is { Value.ValueKind: JsonValueKind.Array } range)
            {
                var bounds = range.Value.EnumerateArray().Select(e => e.GetDouble()).ToArray();
                switch (range.Name)
                {
                    case "uniform" when bounds.Length == 2: space.Uniform(p.Name, bounds[0], bounds[1]); continue;
                    case "logUniform" when bounds.Length == 2: space.LogUniform(p.Name, bounds[0], bounds[1]); continue;
                    case "int" when bounds.Length is 2 or 3: space.IntRange(p.Name, (int)bounds[0], (int)bounds[1], bounds.Length == 3 ? (int)bounds[2] : 1); continue;
                }
            }
            throw new SpecException(path, "expected a list of values, or {\"uniform\": [low, high]}, {\"logUniform\": [low, high]} or {\"int\": [low, high, step]}.");
        }
        return space;
    }

    private static object Value(JsonElement e, string path) => e.ValueKind switch
    {
        JsonValueKind.String => e.GetString()!,
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Number when e.TryGetInt32(out var i) => i,
        JsonValueKind.Number => e.GetDouble(),
        _ => throw new SpecException(path, $"values must be strings, numbers or booleans; got {e.GetRawText()}."),
    };
}
