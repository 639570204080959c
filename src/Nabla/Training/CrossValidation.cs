using System.Diagnostics;
using System.Globalization;
using System.Text;
using Nabla.Data;

namespace Nabla.Training;

/// <summary>
/// Prepares one fold's data from its training and validation parts, e.g. standardisation whose statistics come from
/// the training part only (<see cref="CrossValidation.Standardize"/>), so nothing about the validation part leaks in.
/// </summary>
public delegate (IDataset Train, IDataset Validation) FoldPreparation(IDataset train, IDataset validation);

/// <summary>
/// One fold of a cross-validation: which examples it trained and validated on (positions in the full dataset), the
/// epoch whose validation logs it reports (0-based index into <see cref="History"/>), those logs (the <c>val_*</c> keys),
/// the whole history and the time it took.
/// </summary>
public sealed record FoldResult(int Fold, IReadOnlyList<int> TrainIndices, IReadOnlyList<int> ValidationIndices, int Epoch,
    IReadOnlyDictionary<string, double> Metrics, History History, double Seconds);

/// <summary>Per-fold validation figures with their mean and (sample, n − 1) standard deviation per key.</summary>
public sealed class CrossValidationResult
{
    internal CrossValidationResult(IReadOnlyList<FoldResult> folds)
    {
        Folds = folds;
        Keys = [.. folds.SelectMany(f => f.Metrics.Keys).Distinct()];
        Means = Keys.ToDictionary(k => k, k => Statistics(k).Mean);
        StandardDeviations = Keys.ToDictionary(k => k, k => Statistics(k).Std);
    }

    public IReadOnlyList<FoldResult> Folds { get; }

    /// <summary>The reported keys, e.g. <c>val_loss</c>, <c>val_accuracy</c>.</summary>
    public IReadOnlyList<string> Keys { get; }

    public IReadOnlyDictionary<string, double> Means { get; }

    /// <summary>Sample standard deviations over the folds, √(Σ(xᵢ − mean)² / (k − 1)).</summary>
    public IReadOnlyDictionary<string, double> StandardDeviations { get; }

    /// <summary>One key's value in each fold (NaN where a fold lacks it, e.g. after divergence).</summary>
    public double[] this[string key] => [.. Folds.Select(f => f.Metrics.TryGetValue(key, out var v) ? v : double.NaN)];

    private (double Mean, double Std) Statistics(string key)
    {
        var values = this[key];
        var mean = values.Average();
        var std = values.Length < 2 ? 0 : Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1));
        return (mean, std);
    }

    /// <summary>A plain-text table: one row per fold (reported epoch 1-based, each key, seconds), then the mean and std rows.</summary>
    public string Format()
    {
        var header = new List<string> { "fold", "epoch" };
        header.AddRange(Keys);
        header.Add("seconds");
        var rows = new List<string[]> { header.ToArray() };
        foreach (var f in Folds)
        {
            rows.Add([Int(f.Fold + 1), Int(f.Epoch + 1), .. Keys.Select(k => Number(f.Metrics.TryGetValue(k, out var v) ? v : double.NaN)),
                f.Seconds.ToString("0.00", CultureInfo.InvariantCulture)]);
        }
        rows.Add(["mean", "", .. Keys.Select(k => Number(Means[k])), ""]);
        rows.Add(["std", "", .. Keys.Select(k => Number(StandardDeviations[k])), ""]);
        return Table(rows);
    }

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    internal static string Number(double value) => value.ToString("0.0000", CultureInfo.InvariantCulture);

    /// <summary>Left-aligned columns separated by two spaces.</summary>
    internal static string Table(List<string[]> rows)
    {
        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        var text = new StringBuilder();
        foreach (var row in rows)
        {
            text.AppendLine(string.Join("  ", row.Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd());
        }
        return text.ToString();
    }
}

/// <summary>
/// k-fold cross-validation: each fold trains a fresh model on k − 1 parts and validates on the remaining one, so every
/// example is validated on exactly once. Folds and shuffling follow the seed, so a run is reproducible.
/// <code>
/// var result = CrossValidation.Run(iris, folds: 5, () => NewTrainer(), epochs: 30, batchSize: 16, seed: 1,
///     stratified: true, prepare: CrossValidation.Standardize);
/// Console.Write(result.Format());
/// </code>
/// </summary>
public static class CrossValidation
{
    /// <summary>
    /// Runs <paramref name="folds"/>-fold cross-validation of the trainers <paramref name="makeTrainer"/> builds (one fresh
    /// model per fold). Folds come from <see cref="Splits.KFold"/>, or <see cref="Splits.StratifiedKFold"/> on the class labels
    /// in the dataset's targets when <paramref name="stratified"/>. Each fold reports the <c>val_*</c> logs of its last epoch,
    /// or, with <paramref name="monitor"/>, of its best epoch by that key (see <see cref="MonitorMode"/>).
    /// <paramref name="callbacks"/> builds fresh callbacks for each fold (e.g. early stopping).
    /// </summary>
    public static CrossValidationResult Run(IDataset data, int folds, Func<Trainer> makeTrainer, int epochs, int batchSize, ulong seed = 0,
        bool stratified = false, FoldPreparation? prepare = null, Func<IEnumerable<Callback>>? callbacks = null, string? monitor = null,
        MonitorMode mode = MonitorMode.Auto, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(makeTrainer);
        if (epochs <= 0 || batchSize <= 0) throw new ArgumentException($"CrossValidation: epochs ({epochs}) and batchSize ({batchSize}) must be positive.");
        var splits = stratified ? Splits.StratifiedKFold(Labels(data), folds, seed) : Splits.KFold(data.Count, folds, seed);
        var results = new List<FoldResult>();
        object? previousModel = null;
        for (var f = 0; f < splits.Count; f++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var clock = Stopwatch.StartNew();
            var (trainIndices, validationIndices) = splits[f];
            IDataset train = new Subset(data, trainIndices), validation = new Subset(data, validationIndices);
            if (prepare is not null) (train, validation) = prepare(train, validation);
            var trainer = makeTrainer();
            if (ReferenceEquals(trainer.Model, previousModel))
            {
                throw new ArgumentException("CrossValidation: makeTrainer returned the model trained in the previous fold; build a fresh model (and optimizer) on every call.");
            }
            previousModel = trainer.Model;
            var trainLoader = new DataLoader(train, batchSize, shuffle: true, seed: seed ^ (0x9E3779B97F4A7C15UL * (ulong)(f + 1)));
            var history = trainer.Fit(trainLoader, epochs, new DataLoader(validation, batchSize), callbacks?.Invoke(), cancellationToken);
            var epoch = ReportedEpoch(history, monitor, mode);
            var metrics = epoch < 0
                ? new Dictionary<string, double>()
                : history.Epochs[epoch].Where(kv => kv.Key.StartsWith("val_", StringComparison.Ordinal)).ToDictionary(kv => kv.Key, kv => kv.Value);
            results.Add(new FoldResult(f, trainIndices, validationIndices, epoch, metrics, history, clock.Elapsed.TotalSeconds));
        }
        return new CrossValidationResult(results);
    }

    /// <summary>The last epoch, or the best by <paramref name="monitor"/> (the first of equals; NaN never wins); -1 for an empty history.</summary>
    internal static int ReportedEpoch(History history, string? monitor, MonitorMode mode)
    {
        if (monitor is null) return history.Epochs.Count - 1;
        var values = history[monitor];
        var maximize = Monitor.Maximize(monitor, mode);
        var best = -1;
        for (var e = 0; e < values.Length; e++)
        {
            if (double.IsNaN(values[e])) continue;
            if (best < 0 || (maximize ? values[e] > values[best] : values[e] < values[best])) best = e;
        }
        return best < 0 ? history.Epochs.Count - 1 : best;
    }

    /// <summary>
    /// Class labels from the dataset's targets: labels [N] or [N, 1] holding whole numbers >= 0, or one-hot rows [N, C]
    /// (their argmax). Used for stratified folds.
    /// </summary>
    public static int[] Labels(IDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var labels = new int[data.Count];
        const int chunk = 4096;
        for (var start = 0; start < data.Count; start += chunk)
        {
            var indices = Enumerable.Range(start, Math.Min(chunk, data.Count - start)).ToArray();
            var target = data.GetBatch(indices).Target;
            float[] values = target.Rank == 2 && target.Shape[1] > 1 ? target.ArgMax(1).ToArray() : target.Reshape(-1).ToArray();
            if (values.Length != indices.Length)
            {
                throw new ArgumentException($"CrossValidation: stratified folds need one class label per example (targets [N], [N, 1] or one-hot [N, C]); got targets of shape {target.Shape}.");
            }
            for (var i = 0; i < values.Length; i++)
            {
                if (!(values[i] >= 0 && values[i] == MathF.Floor(values[i])))
                {
                    throw new ArgumentException($"CrossValidation: stratified folds need class labels (whole numbers >= 0); example {start + i} has target {values[i]}. Use stratified: false for regression.");
                }
                labels[start + i] = (int)values[i];
            }
        }
        return labels;
    }

    /// <summary>
    /// A <see cref="FoldPreparation"/> that standardises inputs [N, F] with a <see cref="Standardizer"/> fitted on the
    /// fold's training part only, applied to both parts.
    /// </summary>
    public static FoldPreparation Standardize { get; } = (train, validation) =>
    {
        var trainBatch = All(train);
        var validationBatch = All(validation);
        var standardizer = Standardizer.Fit(trainBatch.Input);
        using var _ = Autograd.NoGrad();
        return (new TensorDataset(standardizer.Transform(trainBatch.Input), trainBatch.Target),
                new TensorDataset(standardizer.Transform(validationBatch.Input), validationBatch.Target));
    };

    private static Batch All(IDataset data) => data.GetBatch(Enumerable.Range(0, data.Count).ToArray());
}
