using System.Globalization;
using Nabla.Data;
using Nabla.NN;
using Nabla.Optim;

namespace Nabla.Training;

/// <summary>
/// A custom training step, for set-ups a loss and one optimizer do not describe (a GAN's two optimizers,
/// an autoencoder's reconstruction target). It runs forward, backward and its updates on one batch and
/// returns the values to log (e.g. <c>d_loss</c>, <c>g_loss</c>); the trainer averages them over the epoch,
/// runs callbacks and handles scopes, cancellation and divergence as for the built-in step.
/// </summary>
public delegate IReadOnlyDictionary<string, double> TrainStep(Batch batch);

/// <summary>
/// Trains a model, separately from the model itself (Keras vocabulary): <see cref="Fit"/>, <see cref="Evaluate"/>,
/// <see cref="Predict"/>. Each training batch runs inside a <see cref="TensorScope"/>, so its buffers go back to the
/// pool when the batch ends and the garbage collector stays out of the loop.
/// <code>
/// var trainer = new Trainer(model, new Adam(model.Parameters(), 1e-3f), new CrossEntropyLoss(), [new Accuracy()]);
/// var history = trainer.Fit(trainLoader, epochs: 6, validation: testLoader, callbacks: [new EarlyStopping(patience: 2)]);
/// </code>
/// </summary>
public sealed partial class Trainer
{
    private readonly TrainStep? _customStep;

    public Trainer(Module model, Optimizer optimizer, Loss loss, IEnumerable<Metric>? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(loss);
        (Model, Optimizer, Loss) = (model, optimizer, loss);
        Metrics = [.. metrics ?? []];
        var names = Metrics.Select(m => m.Name).ToList();
        if (names.Distinct().Count() != names.Count) throw new ArgumentException($"Trainer: metric names must be unique; got {string.Join(", ", names)}.");
    }

    /// <summary>A trainer whose batches run <paramref name="step"/>; <paramref name="loss"/> and metrics (optional) serve <see cref="Evaluate"/>.</summary>
    public Trainer(Module model, TrainStep step, Loss? loss = null, IEnumerable<Metric>? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(step);
        (Model, _customStep, Loss) = (model, step, loss);
        Metrics = [.. metrics ?? []];
    }

    public Module Model { get; }
    public Optimizer? Optimizer { get; }
    public Loss? Loss { get; }
    public IReadOnlyList<Metric> Metrics { get; }

    /// <summary>When set, gradients are clipped to this global L2 norm before each update.</summary>
    public float? ClipGradientNorm { get; set; }

    /// <summary>
    /// Runs in the built-in step right after <c>loss.Backward()</c>, before clipping and the optimizer step: the place to
    /// average gradients across processes (Nabla.Distributed's GradientAverager) or inspect them.
    /// </summary>
    public Action? AfterBackward { get; set; }

    /// <summary>Stop at the first non-finite loss, naming the epoch and batch (on by default).</summary>
    public bool TerminateOnNaN { get; set; } = true;

    /// <summary>Set by callbacks to end training after the current batch or epoch.</summary>
    public bool StopTraining { get; set; }

    /// <summary>Why training stopped early, as recorded in <see cref="History.StopReason"/>.</summary>
    public string? StopReason { get; set; }

    /// <summary>The number of epochs the current <see cref="Fit"/> runs to.</summary>
    public int Epochs { get; private set; }

    /// <summary>
    /// Trains for <paramref name="epochs"/> epochs (counting from <paramref name="initialEpoch"/>), evaluating on
    /// <paramref name="validation"/> after each one. Returns the per-epoch logs. With <paramref name="resume"/> and a
    /// checkpoint at <see cref="CheckpointPath"/>, training continues exactly where that checkpoint was taken: the
    /// final weights are bitwise those of an uninterrupted run.
    /// </summary>
    public History Fit(DataLoader train, int epochs, DataLoader? validation = null, IEnumerable<Callback>? callbacks = null,
        CancellationToken cancellationToken = default, int initialEpoch = 0, bool resume = false)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (epochs < 0 || initialEpoch < 0) throw new ArgumentException($"Trainer.Fit: epochs ({epochs}) and initialEpoch ({initialEpoch}) must be >= 0.");
        var list = (callbacks ?? []).ToList();
        foreach (var c in list) c.Trainer = this;
        (Epochs, StopTraining, StopReason) = (epochs, false, null);
        var history = new History();
        foreach (var c in list) c.OnTrainBegin();
        var position = new EpochProgress(initialEpoch);
        if (resume && CheckpointPath is { } path && File.Exists(path)) position = RestoreCheckpoint(path, history, list);
        for (var epoch = position.Epoch; epoch < epochs && !StopTraining; epoch++)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                StopReason = $"cancelled before epoch {epoch + 1}";
                break;
            }
            foreach (var c in list) c.OnEpochBegin(epoch);
            var progress = epoch == position.Epoch ? position : new EpochProgress(epoch);
            var logs = TrainEpoch(train, progress, history, list, cancellationToken);
            if (StopTraining && logs.Count == 0) break;
            if (validation is not null && !StopTraining)
            {
                foreach (var (key, value) in Evaluate(validation)) logs["val_" + key] = value;
            }
            if (Optimizer is not null) logs["lr"] = Optimizer.LearningRate;
            foreach (var c in list) c.OnEpochEnd(epoch, logs);
            history.Add(new Dictionary<string, double>(logs));
            if (CheckpointPath is not null && !StopTraining) SaveCheckpoint(new EpochProgress(epoch + 1), history, list);
        }
        history.StopReason = StopReason;
        foreach (var c in list) c.OnTrainEnd(history);
        return history;
    }

    private Dictionary<string, double> TrainEpoch(DataLoader train, EpochProgress progress, History history, List<Callback> callbacks, CancellationToken cancellationToken)
    {
        var epoch = progress.Epoch;
        Model.Train();
        foreach (var m in Metrics) m.Reset();
        if (progress.MetricStates is { } states)
        {
            foreach (var m in Metrics)
            {
                if (states.TryGetValue(m.Name, out var state)) m.SetState(state);
            }
        }
        var sums = new Dictionary<string, double>(progress.Sums);
        var examples = progress.Examples;
        var batchIndex = progress.Batch;
        using var batches = train.Epoch(epoch, Math.Min(batchIndex, train.BatchCount)).GetEnumerator();
        while (!StopTraining)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                StopTraining = true;
                StopReason = $"cancelled in epoch {epoch + 1} after {batchIndex} batches";
                break;
            }
            IReadOnlyDictionary<string, double> batchLogs;
            int size;
            using (TensorScope.Begin())
            {
                if (!batches.MoveNext()) break;
                var batch = batches.Current;
                size = batch.Count;
                batchLogs = _customStep is not null ? _customStep(batch) : BuiltInStep(batch);
            }
            foreach (var (key, value) in batchLogs) sums[key] = sums.GetValueOrDefault(key) + value * size;
            examples += size;
            if (TerminateOnNaN)
            {
                foreach (var (key, value) in batchLogs)
                {
                    if (double.IsFinite(value)) continue;
                    StopTraining = true;
                    StopReason ??= DivergenceMessage(key, value, epoch, batchIndex);
                }
            }
            foreach (var c in callbacks) c.OnBatchEnd(epoch, batchIndex, batchLogs);
            batchIndex++;
            if (CheckpointPath is not null && CheckpointEveryBatches > 0 && batchIndex % CheckpointEveryBatches == 0
                && batchIndex < train.BatchCount && !StopTraining)
            {
                var metricStates = Metrics.ToDictionary(m => m.Name, m => m.GetState());
                if (ReduceEpochProgress is not null) ReduceProgress(sums, ref examples, metricStates);
                SaveCheckpoint(new EpochProgress(epoch, batchIndex, sums, examples, metricStates), history, callbacks);
            }
        }
        var logs = sums.ToDictionary(kv => kv.Key, kv => kv.Value / Math.Max(examples, 1));
        foreach (var m in Metrics) logs[m.Name] = m.Result();
        return examples == 0 ? [] : logs;
    }

    private Dictionary<string, double> BuiltInStep(Batch batch)
    {
        var prediction = Model.Forward(batch.Input);
        var loss = Loss!.Compute(prediction, batch.Target);
        Optimizer!.ZeroGrad();
        loss.Backward();
        AfterBackward?.Invoke();
        if (ClipGradientNorm is { } maxNorm) GradientClipping.ClipByGlobalNorm(Model.TrainableParameters(), maxNorm);
        Optimizer.Step();
        using (Autograd.NoGrad())
        {
            foreach (var m in Metrics) m.Update(prediction.Detach(), batch.Target);
        }
        return new Dictionary<string, double> { ["loss"] = loss.Item() };
    }

    internal static string DivergenceMessage(string key, double value, int epoch, int batch) => string.Create(CultureInfo.InvariantCulture,
        $"{key} became {value} at epoch {epoch + 1}, batch {batch + 1}: training diverged. Try a lower learning rate or gradient clipping (Trainer.ClipGradientNorm).");

    /// <summary>Loss (when the trainer has one) and metrics over a whole dataset, in eval mode and without gradients.</summary>
    public Dictionary<string, double> Evaluate(DataLoader data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var wasTraining = Model.IsTraining;
        Model.Eval();
        foreach (var m in Metrics) m.Reset();
        double lossSum = 0;
        long examples = 0;
        try
        {
            using var noGrad = Autograd.NoGrad();
            using var batches = data.Epoch(0).GetEnumerator();
            while (true)
            {
                using var scope = TensorScope.Begin();
                if (!batches.MoveNext()) break;
                var batch = batches.Current;
                var prediction = Model.Forward(batch.Input);
                if (Loss is not null) lossSum += Loss.Compute(prediction, batch.Target).Item() * batch.Count;
                foreach (var m in Metrics) m.Update(prediction, batch.Target);
                examples += batch.Count;
            }
        }
        finally
        {
            Model.Train(wasTraining);
        }
        var logs = new Dictionary<string, double>();
        if (Loss is not null) logs["loss"] = examples == 0 ? double.NaN : lossSum / examples;
        foreach (var m in Metrics) logs[m.Name] = m.Result();
        return logs;
    }

    /// <summary>The model's outputs for <paramref name="inputs"/> [N, ...], computed in batches in eval mode: [N, ...].</summary>
    public Tensor Predict(Tensor inputs, int batchSize = 256)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (batchSize <= 0) throw new ArgumentException($"Trainer.Predict: batchSize must be positive; got {batchSize}.");
        var wasTraining = Model.IsTraining;
        Model.Eval();
        try
        {
            using var noGrad = Autograd.NoGrad();
            var parts = new List<Tensor>();
            for (var start = 0; start < inputs.Shape[0]; start += batchSize)
            {
                parts.Add(Model.Forward(inputs.Narrow(0, start, Math.Min(batchSize, inputs.Shape[0] - start))));
            }
            return parts.Count switch { 0 => Model.Forward(inputs), 1 => parts[0], _ => Tensor.Concat(parts) };
        }
        finally
        {
            Model.Train(wasTraining);
        }
    }
}
