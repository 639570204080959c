using System.Text.Json;
using Nabla.Data;
using Nabla.NN;
using Nabla.Optim;
using Nabla.Training;

namespace Nabla.Specs;

/// <summary>
/// A training run described in JSON: data, model layers, loss, optimizer, schedule and training settings
/// (see docs/spec.md). Loading validates the structure; <see cref="BuildModel"/> also checks that the layers'
/// shapes chain, naming the first layer that does not fit.
/// </summary>
public sealed class TrainingSpec
{
    private static readonly string[] TopFields = ["name", "description", "seed", "data", "model", "loss", "optimizer", "schedule", "training", "search"];
    private static readonly string[] TrainingFields = ["epochs", "batchSize", "metrics", "earlyStopping", "clipGradNorm", "shuffle"];

    private TrainingSpec(JsonElement root, string source)
    {
        Root = root;
        Source = source;
        SpecBinder.CheckFields(root, "", TopFields);
        Name = SpecBinder.String(root, "name", "") ?? System.IO.Path.GetFileNameWithoutExtension(source);
        Description = SpecBinder.String(root, "description", "");
        Seed = SpecBinder.Value<int>(root, "seed", "") is { } seed ? (ulong)seed : 0UL;
        Data = DataSpec.Parse(Require(root, "data", ""), "data");
        var model = Require(root, "model", "");
        if (model.ValueKind != JsonValueKind.Array || model.GetArrayLength() == 0)
        {
            throw new SpecException("model", "expected a non-empty array of layers, e.g. [{\"type\": \"Linear\", \"inFeatures\": 784, \"outFeatures\": 10}].");
        }
        Layers = [.. model.EnumerateArray()];
        for (var i = 0; i < Layers.Count; i++) LayerType(Layers[i], $"model[{i}]");
        LossSpec = Require(root, "loss", "");
        OptimizerSpec = Require(root, "optimizer", "");
        ScheduleSpec = root.TryGetProperty("schedule", out var schedule) && schedule.ValueKind != JsonValueKind.Null ? schedule : null;
        var training = root.TryGetProperty("training", out var t) ? t : default;
        if (training.ValueKind == JsonValueKind.Undefined) training = JsonDocument.Parse("{}").RootElement;
        SpecBinder.CheckFields(training, "training", TrainingFields);
        Epochs = SpecBinder.Value<int>(training, "epochs", "training") ?? 10;
        BatchSize = SpecBinder.Value<int>(training, "batchSize", "training") ?? 64;
        if (Epochs <= 0) throw new SpecException("training.epochs", $"must be positive; got {Epochs}.");
        if (BatchSize <= 0) throw new SpecException("training.batchSize", $"must be positive; got {BatchSize}.");
        ClipGradNorm = SpecBinder.Value<float>(training, "clipGradNorm", "training");
        Shuffle = SpecBinder.Value<bool>(training, "shuffle", "training") ?? true;
        Metrics = training.TryGetProperty("metrics", out var metrics)
            ? [.. ((string[]?)SpecBinder.Convert(metrics, typeof(string[]), "training.metrics") ?? [])]
            : ["accuracy"];
        for (var i = 0; i < Metrics.Count; i++)
        {
            try { Metric.Create(Metrics[i]); }
            catch (ArgumentException e) { throw new SpecException($"training.metrics[{i}]", e.Message); }
        }
        EarlyStoppingSpec = training.TryGetProperty("earlyStopping", out var early) && early.ValueKind != JsonValueKind.Null ? early : null;
        if (EarlyStoppingSpec is { } es) SpecBinder.Construct(typeof(EarlyStopping), es, "training.earlyStopping");
        BuildLoss(); // validates the loss now
    }

    public JsonElement Root { get; }
    public string Source { get; }
    public string Name { get; }
    public string? Description { get; }
    public ulong Seed { get; set; }
    public DataSpec Data { get; }
    public IReadOnlyList<JsonElement> Layers { get; }
    public JsonElement LossSpec { get; }
    public JsonElement OptimizerSpec { get; }
    public JsonElement? ScheduleSpec { get; }
    public JsonElement? EarlyStoppingSpec { get; }
    public int Epochs { get; set; }
    public int BatchSize { get; set; }
    public float? ClipGradNorm { get; }
    public bool Shuffle { get; }
    public IReadOnlyList<string> Metrics { get; }

    /// <summary>Reads and validates a spec file; errors name the file and the field.</summary>
    public static TrainingSpec Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Spec file not found: {path}", path);
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses a spec from JSON text; <paramref name="source"/> names it in errors and gives the default name.</summary>
    public static TrainingSpec Parse(string json, string source = "spec.json")
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, MaxDepth = 32 });
        }
        catch (JsonException e)
        {
            throw new SpecException("", $"{source} is not valid JSON: {e.Message}", e);
        }
        return new TrainingSpec(document.RootElement.Clone(), source);
    }

    private static JsonElement Require(JsonElement obj, string field, string path)
    {
        var full = path.Length == 0 ? field : $"{path}.{field}";
        return obj.TryGetProperty(field, out var value) && value.ValueKind != JsonValueKind.Null
            ? value
            : throw new SpecException(full, "required field is missing.");
    }

    // ---- building -------------------------------------------------------------------------------

    private static readonly Dictionary<string, Type> LayerTypes = typeof(Module).Assembly.GetExportedTypes()
        .Where(t => t.IsSubclassOf(typeof(Module)) && !t.IsAbstract && t.Namespace == "Nabla.NN")
        .ToDictionary(t => SpecBinder.Key(t.Name));

    private static Type LayerType(JsonElement layer, string path)
    {
        if (layer.ValueKind != JsonValueKind.Object) throw new SpecException(path, $"expected a layer object with a \"type\"; got {SpecBinder.Show(layer)}.");
        var name = SpecBinder.String(layer, "type", path, required: true)!;
        return LayerTypes.TryGetValue(SpecBinder.Key(name), out var type)
            ? type
            : throw new SpecException($"{path}.type", $"unknown layer type '{name}'; `nabla list layers` shows them: {string.Join(", ", Catalog.Layers.Select(l => l.Name))}.");
    }

    /// <summary>
    /// Builds the layers as a <see cref="Sequential"/> and runs a zero batch of <paramref name="exampleShape"/> through them,
    /// so a layer whose input does not fit is reported as <c>model[i]</c> with the shapes involved.
    /// </summary>
    public Sequential BuildModel(int[] exampleShape) => BuildLayers(Layers, exampleShape);

    /// <summary>Builds spec-form layers and checks that they chain for inputs of <paramref name="exampleShape"/>.</summary>
    internal static Sequential BuildLayers(IReadOnlyList<JsonElement> layers, int[] exampleShape)
    {
        var model = new Sequential();
        for (var i = 0; i < layers.Count; i++)
        {
            var path = $"model[{i}]";
            model.Append((Module)SpecBinder.Construct(LayerType(layers[i], path), layers[i], path));
        }
        using var scope = TensorScope.Begin();
        using var noGrad = Autograd.NoGrad();
        var x = Tensor.Zeros([1, .. exampleShape]);
        model.Eval();
        for (var i = 0; i < model.Count; i++)
        {
            try
            {
                x = model[i].Forward(x);
            }
            catch (ArgumentException e)
            {
                throw new SpecException($"model[{i}]", $"{model[i].GetType().Name} does not fit its input of shape {x.Shape}: {e.Message}", e);
            }
        }
        model.Train();
        return model;
    }

    /// <summary>The loss: a name (<c>"cross_entropy"</c>) or an object with a type and the loss's options.</summary>
    public Loss BuildLoss()
    {
        var name = LossSpec.ValueKind == JsonValueKind.String ? LossSpec.GetString()! : SpecBinder.String(LossSpec, "type", "loss", required: true)!;
        Loss prototype;
        try { prototype = Loss.Create(name); }
        catch (ArgumentException e) { throw new SpecException(LossSpec.ValueKind == JsonValueKind.String ? "loss" : "loss.type", e.Message, e); }
        return LossSpec.ValueKind == JsonValueKind.String ? prototype : (Loss)SpecBinder.Construct(prototype.GetType(), LossSpec, "loss");
    }

    /// <summary>The optimizer over the model's trainable parameters; <paramref name="learningRate"/> overrides the spec's <c>lr</c>.</summary>
    public Optimizer BuildOptimizer(Module model, float? learningRate = null)
    {
        var name = OptimizerSpec.ValueKind == JsonValueKind.String ? OptimizerSpec.GetString()! : SpecBinder.String(OptimizerSpec, "type", "optimizer", required: true)!;
        var options = new Dictionary<string, float>();
        float? lr = null;
        if (OptimizerSpec.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in OptimizerSpec.EnumerateObject().Where(p => p.Name != "type"))
            {
                var value = p.Value.ValueKind switch
                {
                    JsonValueKind.True => 1f,
                    JsonValueKind.False => 0f,
                    _ => (float)SpecBinder.Convert(p.Value, typeof(float), $"optimizer.{p.Name}")!,
                };
                if (SpecBinder.Key(p.Name) is "lr" or "learningrate") lr = value;
                else options[p.Name] = value;
            }
        }
        try
        {
            return Optimizers.Create(name, model.TrainableParameters(), learningRate ?? lr ?? 1e-3f, options);
        }
        catch (ArgumentException e)
        {
            throw new SpecException("optimizer", e.Message, e);
        }
    }

    /// <summary>The learning-rate schedule, or null; <c>perBatch</c> in the spec (default: true for one-cycle and warm-up) says when it steps.</summary>
    public (LearningRateSchedule Schedule, bool PerBatch)? BuildSchedule(Optimizer optimizer, int batchesPerEpoch)
    {
        if (ScheduleSpec is not { } spec) return null;
        var name = spec.ValueKind == JsonValueKind.String ? spec.GetString()! : SpecBinder.String(spec, "type", "schedule", required: true)!;
        var options = new Dictionary<string, string>();
        bool? perBatch = null;
        if (spec.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in spec.EnumerateObject().Where(p => p.Name != "type"))
            {
                if (p.Name == "perBatch") perBatch = (bool)SpecBinder.Convert(p.Value, typeof(bool), "schedule.perBatch")!;
                else options[p.Name] = SpecBinder.Invariant(p.Value);
            }
        }
        var key = SpecBinder.Key(name);
        if (key == "onecycle" && !options.ContainsKey("totalSteps")) options["totalSteps"] = (batchesPerEpoch * Epochs).ToString(System.Globalization.CultureInfo.InvariantCulture);
        try
        {
            var schedule = Schedules.Create(name, optimizer, options);
            return (schedule, perBatch ?? key is "onecycle" or "linearwarmup");
        }
        catch (ArgumentException e)
        {
            throw new SpecException("schedule", e.Message, e);
        }
    }

    /// <summary>Early stopping as configured, or null.</summary>
    public EarlyStopping? BuildEarlyStopping() =>
        EarlyStoppingSpec is { } es ? (EarlyStopping)SpecBinder.Construct(typeof(EarlyStopping), es, "training.earlyStopping") : null;

    public IReadOnlyList<Metric> BuildMetrics() => [.. Metrics.Select(Metric.Create)];
}
