namespace Nabla.Training;

/// <summary>
/// Hooks into <see cref="Trainer.Fit"/>: override the moments you need. Logs are the running figures
/// (<c>loss</c>, metrics, <c>val_*</c>, <c>lr</c>); set <see cref="Trainer.StopTraining"/> to end training after the current epoch.
/// </summary>
public abstract class Callback
{
    /// <summary>The trainer running this callback (set when Fit starts).</summary>
    public Trainer Trainer { get; internal set; } = null!;

    public virtual void OnTrainBegin() { }

    public virtual void OnEpochBegin(int epoch) { }

    /// <summary>After each training batch; <paramref name="logs"/> holds that batch's loss (and custom-step values).</summary>
    public virtual void OnBatchEnd(int epoch, int batch, IReadOnlyDictionary<string, double> logs) { }

    /// <summary>After each epoch, validation included; callbacks may add keys to <paramref name="logs"/>.</summary>
    public virtual void OnEpochEnd(int epoch, IDictionary<string, double> logs) { }

    public virtual void OnTrainEnd(History history) { }

    /// <summary>Adds what this callback must remember across a checkpoint (best values, counters, schedule state).</summary>
    public virtual void SaveState(CallbackState state) { }

    /// <summary>Restores what <see cref="SaveState"/> wrote; called after <see cref="OnTrainBegin"/> when training resumes.</summary>
    public virtual void LoadState(CallbackState state) { }
}

/// <summary>A callback's part of a checkpoint: text values and named tensor sets.</summary>
public sealed class CallbackState
{
    public Dictionary<string, string> Values { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, NN.StateDict> Tensors { get; } = new(StringComparer.Ordinal);

    internal string Get(string key, string callback) =>
        Values.TryGetValue(key, out var v) ? v : throw new InvalidDataException($"Checkpoint: the state of {callback} lacks '{key}'.");
}

/// <summary>A callback made of delegates, for one-off hooks: <c>new LambdaCallback(onEpochEnd: (e, logs) => ...)</c>.</summary>
public sealed class LambdaCallback(
    Action? onTrainBegin = null,
    Action<int>? onEpochBegin = null,
    Action<int, int, IReadOnlyDictionary<string, double>>? onBatchEnd = null,
    Action<int, IDictionary<string, double>>? onEpochEnd = null,
    Action<History>? onTrainEnd = null) : Callback
{
    public override void OnTrainBegin() => onTrainBegin?.Invoke();
    public override void OnEpochBegin(int epoch) => onEpochBegin?.Invoke(epoch);
    public override void OnBatchEnd(int epoch, int batch, IReadOnlyDictionary<string, double> logs) => onBatchEnd?.Invoke(epoch, batch, logs);
    public override void OnEpochEnd(int epoch, IDictionary<string, double> logs) => onEpochEnd?.Invoke(epoch, logs);
    public override void OnTrainEnd(History history) => onTrainEnd?.Invoke(history);
}

/// <summary>Whether a monitored value improves by going down or up; Auto decides from its name (accuracy-like up, losses down).</summary>
public enum MonitorMode { Auto, Min, Max }

internal static class Monitor
{
    public static bool Maximize(string key, MonitorMode mode) => mode switch
    {
        MonitorMode.Max => true,
        MonitorMode.Min => false,
        _ => key.Contains("acc", StringComparison.OrdinalIgnoreCase) || key.EndsWith("f1", StringComparison.OrdinalIgnoreCase)
             || key.EndsWith("precision", StringComparison.OrdinalIgnoreCase) || key.EndsWith("recall", StringComparison.OrdinalIgnoreCase)
             || key.EndsWith("r2", StringComparison.OrdinalIgnoreCase),
    };

    public static double Read(IDictionary<string, double> logs, string key, string who)
    {
        if (logs.TryGetValue(key, out var value)) return value;
        throw new InvalidOperationException($"{who}: the monitored key '{key}' is not in the epoch logs ({string.Join(", ", logs.Keys)}); pass validation data for val_* keys or pick another key.");
    }
}
