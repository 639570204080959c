using Nabla.Data;

namespace Nabla.Training.Tuning;

/// <summary>
/// Ready-made objectives (configuration, epochs) -> score that train the trainer a configuration describes: on a
/// training set scored on validation data, or by cross-validation. A configuration's <c>batch_size</c>, when present,
/// overrides the default batch size. Every call trains a fresh model from scratch.
/// </summary>
public static class Objectives
{
    /// <summary>
    /// Trains <c>makeTrainer(configuration)</c> on <paramref name="train"/> (shuffled by <paramref name="seed"/>) for the given
    /// epochs, validating on <paramref name="validation"/> after each; the score is <paramref name="metric"/> (e.g.
    /// <c>val_accuracy</c>) at its best epoch, and the logs are that epoch's. A run that diverged before any validation scores NaN.
    /// </summary>
    public static Func<Configuration, int, TrialResult> Validation(Func<Configuration, Trainer> makeTrainer, IDataset train, IDataset validation,
        string metric = "val_loss", int batchSize = 32, ulong seed = 0, MonitorMode mode = MonitorMode.Auto,
        Func<Configuration, IEnumerable<Callback>>? callbacks = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(makeTrainer);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(validation);
        ArgumentNullException.ThrowIfNull(metric);
        return (configuration, epochs) =>
        {
            var size = BatchSize(configuration, batchSize);
            var trainer = makeTrainer(configuration);
            var history = trainer.Fit(new DataLoader(train, size, shuffle: true, seed: seed), epochs, new DataLoader(validation, size),
                callbacks?.Invoke(configuration), cancellationToken);
            CheckMetric(history, metric);
            var epoch = CrossValidation.ReportedEpoch(history, metric, mode);
            var logs = epoch < 0 ? new Dictionary<string, double>() : new Dictionary<string, double>(history.Epochs[epoch]);
            return new TrialResult(logs.GetValueOrDefault(metric, double.NaN), logs, history.Epochs.Count);
        };
    }

    /// <summary>
    /// Cross-validates <c>makeTrainer(configuration)</c> (see <see cref="CrossValidation.Run"/>, each fold reporting its best
    /// epoch by <paramref name="metric"/>); the score is the mean of <paramref name="metric"/> over the folds, and the logs hold
    /// each key's mean and, as <c>key_std</c>, its standard deviation.
    /// </summary>
    public static Func<Configuration, int, TrialResult> CrossValidated(Func<Configuration, Trainer> makeTrainer, IDataset data, int folds,
        string metric = "val_loss", int batchSize = 32, ulong seed = 0, bool stratified = false, FoldPreparation? prepare = null,
        MonitorMode mode = MonitorMode.Auto, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(makeTrainer);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(metric);
        return (configuration, epochs) =>
        {
            var result = CrossValidation.Run(data, folds, () => makeTrainer(configuration), epochs, BatchSize(configuration, batchSize), seed,
                stratified, prepare, monitor: metric, mode: mode, cancellationToken: cancellationToken);
            foreach (var fold in result.Folds) CheckMetric(fold.History, metric);
            var logs = new Dictionary<string, double>();
            foreach (var key in result.Keys)
            {
                logs[key] = result.Means[key];
                logs[key + "_std"] = result.StandardDeviations[key];
            }
            return new TrialResult(result.Means.GetValueOrDefault(metric, double.NaN), logs);
        };
    }

    private static int BatchSize(Configuration configuration, int defaultSize)
    {
        var size = configuration.GetOrDefault("batch_size", defaultSize);
        if (size <= 0) throw new ArgumentException($"Objectives: batch_size must be positive; got {size} in {configuration}.");
        return size;
    }

    /// <summary>
    /// A misspelt metric fails at once: it is missing although some epoch completed with validation. A run cut short
    /// before any validation (divergence) lacks every val_* key and scores NaN instead.
    /// </summary>
    private static void CheckMetric(History history, string metric)
    {
        var keys = history.Keys;
        if (keys.Contains(metric) || !keys.Any(k => k.StartsWith("val_", StringComparison.Ordinal))) return;
        throw new ArgumentException($"Objectives: the metric '{metric}' is not in the training logs ({string.Join(", ", history.Keys)}).");
    }
}
