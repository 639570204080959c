using System.Text.Json;
using Nabla.Data;

namespace Nabla.Specs;

/// <summary>The data section of a spec: where the examples come from, how they are split, preprocessed and augmented.</summary>
public sealed class DataSpec
{
    private static readonly string[] Fields = ["format", "path", "target", "validation", "testFraction", "standardize", "augment", "normalize", "limit"];
    private static readonly Dictionary<string, Type> TransformTypes = typeof(ITransform).Assembly.GetExportedTypes()
        .Where(t => typeof(ITransform).IsAssignableFrom(t) && !t.IsAbstract && !t.IsInterface && t != typeof(Compose))
        .ToDictionary(t => SpecBinder.Key(t.Name));

    private DataSpec() { }

    /// <summary>"mnist" (an IDX folder) or "csv".</summary>
    public string Format { get; private init; } = "";
    public string Path { get; private init; } = "";
    /// <summary>CSV: the target column.</summary>
    public string? Target { get; private init; }
    /// <summary>"test" (validate on the test split, as the reference scripts do), "none", or a fraction of the training data held out.</summary>
    public string Validation { get; private init; } = "test";
    public double ValidationFraction { get; private init; }
    /// <summary>CSV: the fraction held out as the test split (stratified for class targets).</summary>
    public double TestFraction { get; private init; } = 0.2;
    /// <summary>CSV: standardise features with statistics of the training split.</summary>
    public bool Standardize { get; private init; } = true;
    /// <summary>Use only the first N training examples (quick runs, tests).</summary>
    public int? Limit { get; private init; }
    public ITransform? Augment { get; private init; }
    public Normalize? Normalize { get; private init; }

    internal static DataSpec Parse(JsonElement data, string path)
    {
        SpecBinder.CheckFields(data, path, Fields);
        var format = SpecBinder.String(data, "format", path, required: true)!.ToLowerInvariant();
        if (format is not ("mnist" or "csv")) throw new SpecException($"{path}.format", $"unknown format '{format}'; expected \"mnist\" or \"csv\".");
        var validation = "test";
        var fraction = 0.0;
        if (data.TryGetProperty("validation", out var v))
        {
            if (v.ValueKind == JsonValueKind.Number)
            {
                fraction = v.GetDouble();
                if (!(fraction > 0 && fraction < 1)) throw new SpecException($"{path}.validation", $"a held-out fraction must be in (0, 1); got {fraction}.");
                validation = "fraction";
            }
            else
            {
                validation = SpecBinder.String(data, "validation", path)!;
                if (validation is not ("test" or "none")) throw new SpecException($"{path}.validation", $"expected \"test\", \"none\" or a fraction in (0, 1); got \"{validation}\".");
            }
        }
        ITransform? augment = null;
        if (data.TryGetProperty("augment", out var aug))
        {
            if (aug.ValueKind != JsonValueKind.Array) throw new SpecException($"{path}.augment", "expected an array of transforms, e.g. [{\"type\": \"RandomAffine\", \"degrees\": 10}].");
            var transforms = aug.EnumerateArray().Select((t, i) => BuildTransform(t, $"{path}.augment[{i}]")).ToArray();
            augment = transforms.Length == 1 ? transforms[0] : new Compose(transforms);
        }
        Normalize? normalize = null;
        if (data.TryGetProperty("normalize", out var norm)) normalize = (Normalize)SpecBinder.Construct(typeof(Normalize), norm, $"{path}.normalize");
        var spec = new DataSpec
        {
            Format = format,
            Path = SpecBinder.String(data, "path", path, required: true)!,
            Target = SpecBinder.String(data, "target", path, required: format == "csv"),
            Validation = validation,
            ValidationFraction = fraction,
            TestFraction = SpecBinder.Value<double>(data, "testFraction", path) ?? 0.2,
            Standardize = SpecBinder.Value<bool>(data, "standardize", path) ?? true,
            Limit = SpecBinder.Value<int>(data, "limit", path),
            Augment = augment,
            Normalize = normalize,
        };
        if (!(spec.TestFraction > 0 && spec.TestFraction < 1)) throw new SpecException($"{path}.testFraction", $"must be in (0, 1); got {spec.TestFraction}.");
        if (spec.Limit is <= 0) throw new SpecException($"{path}.limit", $"must be positive; got {spec.Limit}.");
        return spec;
    }

    private static ITransform BuildTransform(JsonElement t, string path)
    {
        var name = SpecBinder.String(t, "type", path, required: true)!;
        if (!TransformTypes.TryGetValue(SpecBinder.Key(name), out var type))
        {
            throw new SpecException($"{path}.type", $"unknown transform '{name}'; expected one of {string.Join(", ", TransformTypes.Values.Select(x => x.Name).Order())}.");
        }
        return (ITransform)SpecBinder.Construct(type, t, path);
    }

    /// <summary>The loaded splits: train, validation (or null) and test, plus class names when known.</summary>
    public LoadedData Load(string baseDirectory, ulong seed)
    {
        var path = System.IO.Path.IsPathRooted(Path) ? Path : System.IO.Path.Combine(baseDirectory, Path);
        TensorDataset train, test;
        IReadOnlyList<string>? classes;
        Standardizer? scaler = null;
        if (Format == "mnist")
        {
            train = Mnist.Load(path, train: true);
            test = Mnist.Load(path, train: false);
            classes = [.. Enumerable.Range(0, 10).Select(d => d.ToString(System.Globalization.CultureInfo.InvariantCulture))];
        }
        else
        {
            var table = Csv.Load(path, Target!);
            classes = table.Classes;
            var labels = table.Targets.ToArray().Select(v => (int)v).ToArray();
            var (trainIdx, testIdx) = classes is not null ? Splits.Stratified(labels, TestFraction, seed) : Splits.Random(labels.Length, TestFraction, seed);
            var all = table.ToDataset();
            train = all.Subset(trainIdx);
            test = all.Subset(testIdx);
            if (Standardize)
            {
                scaler = Standardizer.Fit(train.Inputs);
                train = new TensorDataset(scaler.Transform(train.Inputs), train.Targets);
                test = new TensorDataset(scaler.Transform(test.Inputs), test.Targets);
            }
        }
        if (Limit is { } limit && limit < train.Count) train = train.Subset([.. Enumerable.Range(0, limit)]);
        TensorDataset? validation = null;
        if (Validation == "test") validation = test;
        else if (Validation == "fraction")
        {
            var (keep, hold) = Splits.Random(train.Count, ValidationFraction, seed + 1);
            validation = train.Subset(hold);
            train = train.Subset(keep);
        }
        return new LoadedData(train, validation, test, classes, scaler);
    }
}

/// <summary>Datasets produced by <see cref="DataSpec.Load"/>.</summary>
/// <param name="Train">Training examples.</param>
/// <param name="Validation">Examples scored after each epoch, or null.</param>
/// <param name="Test">Held-out examples for the final figures.</param>
/// <param name="Classes">Class names in output order, or null for regression.</param>
/// <param name="Standardizer">The feature standardisation fitted on the training split (CSV), already applied to every split; new inputs need it too.</param>
public sealed record LoadedData(TensorDataset Train, TensorDataset? Validation, TensorDataset Test, IReadOnlyList<string>? Classes, Standardizer? Standardizer = null)
{
    /// <summary>The shape of one input example (without the batch axis).</summary>
    public int[] ExampleShape => Train.Inputs.Shape.ToArray()[1..];
}
