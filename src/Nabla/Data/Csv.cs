using System.Globalization;

namespace Nabla.Data;

/// <summary>A table read from CSV: numeric features and a target, with the class names when the target was text.</summary>
public sealed record CsvTable(Tensor Features, Tensor Targets, IReadOnlyList<string> FeatureNames, string TargetName, IReadOnlyList<string>? Classes)
{
    /// <summary>The table as a dataset of (features, target) examples.</summary>
    public TensorDataset ToDataset() => new(Features, Targets);
}

/// <summary>Reads comma-separated files with a header row into tensors.</summary>
public static class Csv
{
    /// <summary>
    /// Loads <paramref name="path"/>: every column but <paramref name="targetColumn"/> must be numeric and becomes a
    /// feature [N, F]. A numeric target stays a value [N]; a text target is label-encoded to class indices [N]
    /// (classes in order of first appearance, listed in <see cref="CsvTable.Classes"/>), or one-hot [N, C] with
    /// <paramref name="oneHot"/>. Errors name the file, line and column.
    /// </summary>
    public static CsvTable Load(string path, string targetColumn, bool oneHot = false, char separator = ',')
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"CSV file not found: {path}", path);
        return Parse(File.ReadAllLines(path), path, targetColumn, oneHot, separator);
    }

    /// <summary>One-hot targets larger than this many values (1 GiB of floats) are refused: use class indices instead.</summary>
    internal const long MaxOneHotValues = 1L << 28;

    /// <summary>The body of <see cref="Load"/> on lines already read; <paramref name="path"/> names the source in errors.</summary>
    internal static CsvTable Parse(string[] allLines, string path, string targetColumn, bool oneHot = false, char separator = ',')
    {
        var lines = allLines.Select((text, i) => (Text: text, Line: i + 1)).Where(l => l.Text.Trim().Length > 0).ToList();
        if (lines.Count == 0) throw new InvalidDataException($"{path}: the file is empty; expected a header row.");
        var header = lines[0].Text.Split(separator).Select(h => h.Trim()).ToArray();
        var target = Array.IndexOf(header, targetColumn);
        if (target < 0)
        {
            throw new ArgumentException($"{path}: no column named '{targetColumn}'; the header has: {string.Join(", ", header)}.");
        }
        if (Array.LastIndexOf(header, targetColumn) != target)
        {
            throw new InvalidDataException($"{path}: the header names column '{targetColumn}' more than once, so the target is ambiguous.");
        }
        var rows = lines.Skip(1).ToList();
        var featureCount = (long)rows.Count * (header.Length - 1);
        if (featureCount > Array.MaxLength)
        {
            throw new InvalidDataException($"{path}: {rows.Count} rows of {header.Length - 1} features are more values ({featureCount}) than a tensor can hold.");
        }
        var features = new float[featureCount];
        var rawTargets = new string[rows.Count];
        for (var r = 0; r < rows.Count; r++)
        {
            var cells = rows[r].Text.Split(separator);
            if (cells.Length != header.Length)
            {
                throw new InvalidDataException($"{path}, line {rows[r].Line}: {cells.Length} fields; the header has {header.Length}.");
            }
            var f = 0;
            for (var c = 0; c < cells.Length; c++)
            {
                var cell = cells[c].Trim();
                if (c == target)
                {
                    rawTargets[r] = cell;
                    continue;
                }
                if (!float.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                {
                    throw new InvalidDataException($"{path}, line {rows[r].Line}, column '{header[c]}': '{Shorten(cell)}' is not a number.");
                }
                // NaN or infinity (also from overflowing text such as 1e999) would silently poison training.
                if (!float.IsFinite(value))
                {
                    throw new InvalidDataException($"{path}, line {rows[r].Line}, column '{header[c]}': '{Shorten(cell)}' is not a finite number.");
                }
                features[r * (header.Length - 1) + f++] = value;
            }
        }
        var numeric = rawTargets.All(t => float.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out _));
        List<string>? classes = null;
        Tensor targets;
        if (numeric && !oneHot)
        {
            var values = rawTargets.Select(t => float.Parse(t, CultureInfo.InvariantCulture)).ToArray();
            var bad = Array.FindIndex(values, v => !float.IsFinite(v));
            if (bad >= 0)
            {
                throw new InvalidDataException($"{path}, line {rows[bad].Line}, column '{targetColumn}': '{Shorten(rawTargets[bad])}' is not a finite number.");
            }
            targets = Tensor.FromArray(values, rows.Count);
        }
        else
        {
            classes = [];
            var index = new Dictionary<string, int>(StringComparer.Ordinal); // a list search would be quadratic in the number of classes
            var codes = new float[rows.Count];
            for (var r = 0; r < rows.Count; r++)
            {
                if (!index.TryGetValue(rawTargets[r], out var k))
                {
                    k = classes.Count;
                    index.Add(rawTargets[r], k);
                    classes.Add(rawTargets[r]);
                }
                codes[r] = k;
            }
            targets = Tensor.FromArray(codes, rows.Count);
            if (oneHot)
            {
                if ((long)rows.Count * classes.Count > MaxOneHotValues)
                {
                    throw new InvalidDataException($"{path}: one-hot targets for {rows.Count} rows and {classes.Count} classes would need {(long)rows.Count * classes.Count} values (the limit is {MaxOneHotValues}); load class indices (oneHot: false) instead.");
                }
                // A header without data rows has no classes; OneHot needs at least one.
                targets = classes.Count == 0 ? Tensor.Zeros(0, 0) : targets.OneHot(classes.Count);
            }
        }
        var names = header.Where((_, c) => c != target).ToArray();
        return new CsvTable(Tensor.FromArray(features, rows.Count, names.Length), targets, names, targetColumn, classes);
    }

    private static string Shorten(string cell) => cell.Length <= 40 ? cell : cell[..40] + "…";
}

/// <summary>
/// Standardisation z = (x - mean) / std per feature (axis 1 of [N, F]). Fit it on the training split only, then
/// apply the same statistics to validation and test data, so nothing about them leaks into training.
/// </summary>
public sealed class Standardizer
{
    private Standardizer(Tensor mean, Tensor std) => (Mean, Std) = (mean, std);

    public Tensor Mean { get; }
    public Tensor Std { get; }

    /// <summary>Per-feature mean and (biased) standard deviation of <paramref name="features"/> [N, F]; constant features get std 1.</summary>
    public static Standardizer Fit(Tensor features)
    {
        if (features.Rank != 2 || features.Shape[0] == 0) throw new ArgumentException($"Standardizer: expected features [N, F] with N > 0; got {features.Shape}.");
        using var _ = Autograd.NoGrad();
        var mean = features.Mean(0);
        var std = features.Var([0], unbiased: false).Sqrt();
        std = Tensor.Where(std.Eq(0f), Tensor.Scalar(1f), std);
        return new Standardizer(mean.Clone(), std.Clone());
    }

    /// <summary>(x - mean) / std with the fitted statistics.</summary>
    public Tensor Transform(Tensor features)
    {
        if (features.Rank != 2 || features.Shape[1] != Mean.Count)
        {
            throw new ArgumentException($"Standardizer: fitted on {Mean.Count} features; got {features.Shape}.");
        }
        return (features - Mean) / Std;
    }
}
