using System.Text.Json;
using System.Text.Json.Nodes;
using Nabla.NN;
using Nabla.Serialization;

namespace Nabla.Specs;

/// <summary>
/// A trained model as a folder that loads without the spec it came from: <c>model.json</c> (the layers in spec
/// form, the input shape, class names and input normalisation) and <c>weights.safetensors</c> (parameters and
/// buffers by name).
/// </summary>
public sealed class SavedModel
{
    public const string ArchitectureFile = "model.json";
    public const string WeightsFile = "weights.safetensors";
    private const string FormatName = "nabla-model";

    private SavedModel(string name, Sequential model, int[] inputShape, IReadOnlyList<string>? classes, float[]? mean, float[]? std, JsonArray layers,
        float[]? featureMean, float[]? featureStd)
    {
        (Name, Model, InputShape, Classes, NormalizeMean, NormalizeStd, _layers) = (name, model, inputShape, classes, mean, std, layers);
        (FeatureMean, FeatureStd) = (featureMean, featureStd);
    }

    /// <summary>Per-feature standardisation fitted on the training split of tabular data (applied by <see cref="Preprocess"/>), or null.</summary>
    public float[]? FeatureMean { get; }
    public float[]? FeatureStd { get; }

    private readonly JsonArray _layers;

    public string Name { get; }
    public Sequential Model { get; }

    /// <summary>The shape of one input example, without the batch axis (e.g. [1, 28, 28]).</summary>
    public int[] InputShape { get; }

    /// <summary>Class names in output order, or null for regression.</summary>
    public IReadOnlyList<string>? Classes { get; }

    /// <summary>Per-channel normalisation the model was trained with (applied by <see cref="Preprocess"/>), or null.</summary>
    public float[]? NormalizeMean { get; }
    public float[]? NormalizeStd { get; }

    /// <summary>Saves a model trained from <paramref name="spec"/> into <paramref name="directory"/> (both files written atomically).</summary>
    public static void Save(string directory, TrainingSpec spec, Sequential model, int[] inputShape, IReadOnlyList<string>? classes, Data.Standardizer? standardizer = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var layers = new JsonArray([.. spec.Layers.Select(l => JsonNode.Parse(l.GetRawText()))]);
        var normalize = spec.Data.Normalize;
        var doc = new JsonObject
        {
            ["format"] = FormatName,
            ["version"] = 1,
            ["name"] = spec.Name,
            ["inputShape"] = new JsonArray([.. inputShape.Select(d => (JsonNode)d)]),
            ["classes"] = classes is null ? null : new JsonArray([.. classes.Select(c => (JsonNode)c)]),
            ["normalize"] = normalize is null ? null : new JsonObject
            {
                ["mean"] = new JsonArray([.. normalize.Mean.Select(v => (JsonNode)v)]),
                ["std"] = new JsonArray([.. normalize.Std.Select(v => (JsonNode)v)]),
            },
            ["standardize"] = standardizer is null ? null : new JsonObject
            {
                ["mean"] = new JsonArray([.. standardizer.Mean.ToArray().Select(v => (JsonNode)v)]),
                ["std"] = new JsonArray([.. standardizer.Std.ToArray().Select(v => (JsonNode)v)]),
            },
            ["layers"] = layers,
        };
        Directory.CreateDirectory(directory);
        model.Save(Path.Combine(directory, WeightsFile));
        AtomicFile.WriteAllText(Path.Combine(directory, ArchitectureFile), doc.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>Loads a folder written by <see cref="Save"/> (or a run folder, whose <c>model/</c> holds one); the model is in eval mode.</summary>
    public static SavedModel Load(string directory)
    {
        if (File.Exists(Path.Combine(directory, "model", ArchitectureFile))) directory = Path.Combine(directory, "model");
        var path = Path.Combine(directory, ArchitectureFile);
        if (!File.Exists(path)) throw new FileNotFoundException($"No saved model in {directory}: {ArchitectureFile} is missing.", path);
        JsonElement root;
        try
        {
            root = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { MaxDepth = 32 }).RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new SpecException("", $"{path} is not valid JSON: {e.Message}", e);
        }
        if (SpecBinder.String(root, "format", "") != FormatName) throw new SpecException("format", $"{path} is not a Nabla model (expected \"format\": \"{FormatName}\").");
        var name = SpecBinder.String(root, "name", "") ?? "model";
        var inputShape = root.TryGetProperty("inputShape", out var s) ? (int[])SpecBinder.Convert(s, typeof(int[]), "inputShape")! : throw new SpecException("inputShape", "required field is missing.");
        string[]? classes = root.TryGetProperty("classes", out var c) && c.ValueKind != JsonValueKind.Null ? (string[])SpecBinder.Convert(c, typeof(string[]), "classes")! : null;
        float[]? mean = null, std = null;
        if (root.TryGetProperty("normalize", out var n) && n.ValueKind == JsonValueKind.Object)
        {
            mean = (float[])SpecBinder.Convert(n.GetProperty("mean"), typeof(float[]), "normalize.mean")!;
            std = (float[])SpecBinder.Convert(n.GetProperty("std"), typeof(float[]), "normalize.std")!;
        }
        float[]? featureMean = null, featureStd = null;
        if (root.TryGetProperty("standardize", out var st) && st.ValueKind == JsonValueKind.Object)
        {
            featureMean = (float[])SpecBinder.Convert(st.GetProperty("mean"), typeof(float[]), "standardize.mean")!;
            featureStd = (float[])SpecBinder.Convert(st.GetProperty("std"), typeof(float[]), "standardize.std")!;
        }
        if (!root.TryGetProperty("layers", out var layers) || layers.ValueKind != JsonValueKind.Array)
        {
            throw new SpecException("layers", $"{path}: expected an array of layers.");
        }
        var model = TrainingSpec.BuildLayers([.. layers.EnumerateArray()], inputShape);
        model.Load(Path.Combine(directory, WeightsFile));
        model.Eval();
        return new SavedModel(name, model, inputShape, classes, mean, std, (JsonArray)JsonNode.Parse(layers.GetRawText())!, featureMean, featureStd);
    }

    /// <summary>Applies the training-time preprocessing (feature standardisation or image normalisation) to raw inputs [N, ...].</summary>
    public Tensor Preprocess(Tensor inputs)
    {
        if (FeatureMean is not null && FeatureStd is not null)
        {
            using var noGrad = Autograd.NoGrad();
            inputs = (inputs - Tensor.FromArray(FeatureMean)) / Tensor.FromArray(FeatureStd);
        }
        if (NormalizeMean is null || NormalizeStd is null) return inputs;
        return new Data.Normalize(NormalizeMean, NormalizeStd).Apply(inputs, new Generator(0));
    }

    /// <summary>Model outputs for raw inputs [N, ...] (normalised first), without gradients.</summary>
    public Tensor Predict(Tensor inputs)
    {
        var expected = inputs.Rank == InputShape.Length + 1 && inputs.Shape.ToArray()[1..].SequenceEqual(InputShape);
        if (!expected) throw new ArgumentException($"{Name}: inputs must be [N, {string.Join(", ", InputShape)}]; got {inputs.Shape}.");
        using var noGrad = Autograd.NoGrad();
        return Model.Forward(Preprocess(inputs));
    }

    /// <summary>The layers in spec form (as saved).</summary>
    public string LayersJson => _layers.ToJsonString();
}
