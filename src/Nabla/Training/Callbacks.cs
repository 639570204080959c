using System.Globalization;
using Nabla.NN;
using Nabla.Optim;

namespace Nabla.Training;

/// <summary>
/// Stops training when the monitored value has not improved by more than <c>minDelta</c> for <c>patience</c>
/// epochs in a row (Keras semantics; patience 0 stops at the first epoch without improvement, like 1). With
/// <c>restoreBestWeights</c>, the model ends with the weights (and buffers) of its best epoch.
/// </summary>
public sealed class EarlyStopping(string monitor = "val_loss", int patience = 5, double minDelta = 0, MonitorMode mode = MonitorMode.Auto, bool restoreBestWeights = true) : Callback
{
    private StateDict? _best;
    private int _wait, _lastEpoch;

    public string Monitor { get; } = monitor;
    public double BestValue { get; private set; }
    public int BestEpoch { get; private set; } = -1;
    public int StoppedEpoch { get; private set; } = -1;

    public override void OnTrainBegin()
    {
        if (patience < 0) throw new ArgumentException($"EarlyStopping: patience must be >= 0; got {patience}.");
        BestValue = Training.Monitor.Maximize(Monitor, mode) ? double.NegativeInfinity : double.PositiveInfinity;
        (_wait, BestEpoch, StoppedEpoch, _best, _lastEpoch) = (0, -1, -1, null, -1);
    }

    public override void OnEpochEnd(int epoch, IDictionary<string, double> logs)
    {
        _lastEpoch = epoch;
        // An epoch cut short (cancellation, divergence) has no validation logs; training is ending anyway.
        if (Trainer.StopTraining && !logs.ContainsKey(Monitor)) return;
        var value = Training.Monitor.Read(logs, Monitor, "EarlyStopping");
        var maximize = Training.Monitor.Maximize(Monitor, mode);
        var improved = maximize ? value > BestValue + minDelta : value < BestValue - minDelta;
        if (improved)
        {
            (BestValue, BestEpoch, _wait) = (value, epoch, 0);
            if (restoreBestWeights) _best = Trainer.Model.StateDict().Clone();
            return;
        }
        if (++_wait >= patience)
        {
            StoppedEpoch = epoch;
            Trainer.StopTraining = true;
            Trainer.StopReason = string.Create(CultureInfo.InvariantCulture,
                $"early stopping: {Monitor} did not improve for {_wait} epochs (best {BestValue:G6} at epoch {BestEpoch + 1})");
        }
    }

    public override void SaveState(CallbackState state)
    {
        state.Values["best"] = BestValue.ToString("R", CultureInfo.InvariantCulture);
        state.Values["best_epoch"] = BestEpoch.ToString(CultureInfo.InvariantCulture);
        state.Values["wait"] = _wait.ToString(CultureInfo.InvariantCulture);
        state.Values["last_epoch"] = _lastEpoch.ToString(CultureInfo.InvariantCulture);
        if (_best is not null) state.Tensors["best_weights"] = _best;
    }

    public override void LoadState(CallbackState state)
    {
        BestValue = double.Parse(state.Get("best", "EarlyStopping"), CultureInfo.InvariantCulture);
        BestEpoch = int.Parse(state.Get("best_epoch", "EarlyStopping"), CultureInfo.InvariantCulture);
        _wait = int.Parse(state.Get("wait", "EarlyStopping"), CultureInfo.InvariantCulture);
        _lastEpoch = int.Parse(state.Get("last_epoch", "EarlyStopping"), CultureInfo.InvariantCulture);
        _best = state.Tensors.TryGetValue("best_weights", out var best) ? best.Clone() : null;
    }

    public override void OnTrainEnd(History history)
    {
        // Compare epochs, not history positions: with initialEpoch > 0 they differ.
        if (restoreBestWeights && _best is not null && BestEpoch != _lastEpoch) Trainer.Model.LoadStateDict(_best);
    }
}

/// <summary>Steps a learning-rate schedule after every epoch (or every batch, for warm-up and one-cycle schedules).</summary>
public sealed class LearningRateScheduler(LearningRateSchedule schedule, bool perBatch = false) : Callback
{
    public LearningRateSchedule Schedule { get; } = schedule;

    public override void OnBatchEnd(int epoch, int batch, IReadOnlyDictionary<string, double> logs)
    {
        if (perBatch) Schedule.Step();
    }

    public override void OnEpochEnd(int epoch, IDictionary<string, double> logs)
    {
        if (!perBatch) Schedule.Step();
    }

    public override void SaveState(CallbackState state) => state.Tensors["schedule"] = Schedule.StateDict().Clone();

    public override void LoadState(CallbackState state)
    {
        if (state.Tensors.TryGetValue("schedule", out var saved)) Schedule.LoadStateDict(saved);
    }
}

/// <summary>Lowers the learning rate when the monitored value stops improving (see <see cref="ReduceLROnPlateau"/>).</summary>
public sealed class ReduceLearningRateOnPlateau(ReduceLROnPlateau schedule, string monitor = "val_loss") : Callback
{
    public override void SaveState(CallbackState state) => state.Tensors["schedule"] = schedule.StateDict().Clone();

    public override void LoadState(CallbackState state)
    {
        if (state.Tensors.TryGetValue("schedule", out var saved)) schedule.LoadStateDict(saved);
    }

    public override void OnEpochEnd(int epoch, IDictionary<string, double> logs)
    {
        // An epoch cut short (cancellation, divergence) has no validation logs; training is ending anyway.
        if (Trainer.StopTraining && !logs.ContainsKey(monitor)) return;
        schedule.Step((float)Monitor.Read(logs, monitor, "ReduceLearningRateOnPlateau"));
    }
}

/// <summary>
/// Stops at the first batch whose loss is NaN or infinite, naming the epoch and batch. The trainer does this by
/// default (<see cref="Trainer.TerminateOnNaN"/>); this class exists for custom loops of callbacks.
/// </summary>
public sealed class TerminateOnNaN : Callback
{
    public override void OnBatchEnd(int epoch, int batch, IReadOnlyDictionary<string, double> logs)
    {
        foreach (var (key, value) in logs)
        {
            if (double.IsFinite(value)) continue;
            Trainer.StopTraining = true;
            Trainer.StopReason ??= Trainer.DivergenceMessage(key, value, epoch, batch);
        }
    }
}

/// <summary>Appends each epoch's logs to a CSV file (header first), flushed every epoch so a crash keeps what was written.</summary>
public sealed class CsvLogger(string path, bool append = false) : Callback
{
    private string[]? _columns;

    public override void OnTrainBegin()
    {
        _columns = null;
        if (!append && File.Exists(path)) File.Delete(path);
    }

    public override void OnEpochEnd(int epoch, IDictionary<string, double> logs)
    {
        var newFile = !File.Exists(path) || new FileInfo(path).Length == 0;
        _columns ??= [.. logs.Keys];
        using var writer = new StreamWriter(path, append: true);
        if (newFile) writer.WriteLine("epoch," + string.Join(",", _columns));
        var values = _columns.Select(c => logs.TryGetValue(c, out var v) ? v.ToString("R", CultureInfo.InvariantCulture) : "");
        writer.WriteLine((epoch + 1).ToString(CultureInfo.InvariantCulture) + "," + string.Join(",", values));
    }

    /// <summary>The file as written so far: resuming puts back exactly these rows (dropping any written after the checkpoint).</summary>
    public override void SaveState(CallbackState state)
    {
        state.Values["content"] = File.Exists(path) ? File.ReadAllText(path) : "";
        if (_columns is not null) state.Values["columns"] = string.Join(",", _columns);
    }

    public override void LoadState(CallbackState state)
    {
        Serialization.AtomicFile.WriteAllText(path, state.Get("content", "CsvLogger"));
        _columns = state.Values.TryGetValue("columns", out var columns) ? columns.Split(',') : null;
    }
}

/// <summary>Writes one plain line per epoch (epoch, logs, seconds) to a text writer: the progress display for logs and CI.</summary>
public sealed class EpochLogger(TextWriter output) : Callback
{
    private DateTime _start;

    public override void OnEpochBegin(int epoch) => _start = DateTime.UtcNow;

    public override void OnEpochEnd(int epoch, IDictionary<string, double> logs)
    {
        var parts = logs.Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key} {Format(kv.Key, kv.Value)}"));
        var seconds = (DateTime.UtcNow - _start).TotalSeconds;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"epoch {epoch + 1}/{Trainer.Epochs}  {string.Join("  ", parts)}  ({seconds:0.0} s)"));
    }

    private static string Format(string key, double value) =>
        key.Contains("lr", StringComparison.Ordinal) ? value.ToString("G3", CultureInfo.InvariantCulture) : value.ToString("0.0000", CultureInfo.InvariantCulture);
}

/// <summary>
/// Saves the model's weights (safetensors, atomically) after epochs: <c>last.safetensors</c> every epoch when
/// <c>saveLast</c>, and <c>best.safetensors</c> whenever the monitored value improves when <c>saveBest</c>.
/// </summary>
public sealed class ModelCheckpoint(string directory, string monitor = "val_loss", MonitorMode mode = MonitorMode.Auto, bool saveBest = true, bool saveLast = true) : Callback
{
    public string BestPath => Path.Combine(directory, "best.safetensors");
    public string LastPath => Path.Combine(directory, "last.safetensors");
    public double BestValue { get; private set; }
    public int BestEpoch { get; private set; } = -1;

    public override void OnTrainBegin()
    {
        if (!saveBest && !saveLast) throw new ArgumentException("ModelCheckpoint: nothing to save; set saveBest or saveLast.");
        BestValue = Training.Monitor.Maximize(monitor, mode) ? double.NegativeInfinity : double.PositiveInfinity;
        BestEpoch = -1;
    }

    public override void OnEpochEnd(int epoch, IDictionary<string, double> logs)
    {
        if (Trainer.StopTraining && !logs.ContainsKey(monitor)) return; // a cut-short epoch is no candidate
        var metadata = new Dictionary<string, string> { ["epoch"] = (epoch + 1).ToString(CultureInfo.InvariantCulture) };
        if (saveLast) Serialization.ModuleSerialization.Save(Trainer.Model, LastPath, metadata);
        if (!saveBest) return;
        var value = Training.Monitor.Read(logs, monitor, "ModelCheckpoint");
        var better = Training.Monitor.Maximize(monitor, mode) ? value > BestValue : value < BestValue;
        if (!better) return;
        (BestValue, BestEpoch) = (value, epoch);
        metadata[monitor] = value.ToString("R", CultureInfo.InvariantCulture);
        Serialization.ModuleSerialization.Save(Trainer.Model, BestPath, metadata);
    }

    public override void SaveState(CallbackState state)
    {
        state.Values["best"] = BestValue.ToString("R", CultureInfo.InvariantCulture);
        state.Values["best_epoch"] = BestEpoch.ToString(CultureInfo.InvariantCulture);
    }

    public override void LoadState(CallbackState state)
    {
        BestValue = double.Parse(state.Get("best", "ModelCheckpoint"), CultureInfo.InvariantCulture);
        BestEpoch = int.Parse(state.Get("best_epoch", "ModelCheckpoint"), CultureInfo.InvariantCulture);
    }
}
