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
        var lines = File.ReadAllLines(path).Select((text, i) => (Text: text, Line: i + 1)).Where(l => l.Text.Trim().Length > 0).ToList();
        if (lines.Count == 0) throw new InvalidDataException($"{path}: the file is empty; expected a header row.");
        var header = lines[0].Text.Split(separator).Select(h => h.Trim()).ToArray();
        var target = Array.IndexOf(header, targetColumn);
        if (target < 0)
        {
            throw new ArgumentException($"{path}: no column named '{targetColumn}'; the header has: {string.Join(", ", header)}.");
        }
        var rows = lines.Skip(1).ToList();
        var features = new float[rows.Count * (header.Length - 1)];
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
                    throw new InvalidDataException($"{path}, line {rows[r].Line}, column '{header[c]}': '{cell}' is not a number.");
                }
                features[r * (header.Length - 1) + f++] = value;
            }
        }
        var numeric = rawTargets.All(t => float.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out _));
        List<string>? classes = null;
        Tensor targets;
        if (numeric && !oneHot)
        {
            targets = Tensor.FromArray(rawTargets.Select(t => float.Parse(t, CultureInfo.InvariantCulture)).ToArray(), rows.Count);
        }
        else
        {
            classes = [];
            var codes = new float[rows.Count];
            for (var r = 0; r < rows.Count; r++)
            {
                var k = classes.IndexOf(rawTargets[r]);
                if (k < 0)
                {
                    k = classes.Count;
                    classes.Add(rawTargets[r]);
                }
                codes[r] = k;
            }
            targets = Tensor.FromArray(codes, rows.Count);
            if (oneHot) targets = targets.OneHot(classes.Count);
        }
        var names = header.Where((_, c) => c != target).ToArray();
        return new CsvTable(Tensor.FromArray(features, rows.Count, names.Length), targets, names, targetColumn, classes);
    }
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
