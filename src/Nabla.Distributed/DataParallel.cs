using System.Diagnostics;
using Nabla.Data;
using Nabla.NN;
using Nabla.Specs;
using Nabla.Training;

namespace Nabla.Distributed;

/// <summary>
/// Data-parallel training with an existing <see cref="Trainer"/>: every rank holds a full replica of the model, trains
/// on its own shard of each global batch (<see cref="DistributedSampler"/>), and averages gradients after every
/// backward pass (<see cref="GradientAverager"/> on <see cref="Trainer.AfterBackward"/>), so all replicas take the same
/// update. Batch-norm running statistics stay per rank (they are buffers, not gradients); rank 0's are the ones saved.
/// </summary>
public static class DataParallel
{
    /// <summary>Copies rank 0's parameters and buffers to every rank (one broadcast over all of them, flattened).</summary>
    public static void BroadcastState(Module model, ICollectives collectives, int root = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(collectives);
        if (collectives.Size == 1) return;
        var tensors = model.StateDict().Values.ToArray();
        var flat = new float[tensors.Sum(t => t.Shape.Count)];
        var offset = 0;
        foreach (var t in tensors)
        {
            t.ToArray().CopyTo(flat, offset);
            offset += t.Shape.Count;
        }
        collectives.Broadcast(flat, root);
        offset = 0;
        using var noGrad = Autograd.NoGrad();
        foreach (var t in tensors)
        {
            t.CopyFrom(Tensor.FromArray(flat[offset..(offset + t.Shape.Count)], t.Shape.ToArray()));
            offset += t.Shape.Count;
        }
    }

    /// <summary>Makes <paramref name="trainer"/>'s built-in step average gradients over the ranks; returns the averager.</summary>
    public static GradientAverager AverageGradients(Trainer trainer, ICollectives collectives, int bucketElements = 1 << 22)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        var averager = new GradientAverager(collectives, trainer.Model.TrainableParameters(), bucketElements);
        trainer.AfterBackward = averager.Average;
        return averager;
    }

    /// <summary>A callback that points <paramref name="sampler"/> at each epoch's permutation before its batches are read.</summary>
    public static Callback EpochSetter(DistributedSampler sampler) => new LambdaCallback(onEpochBegin: epoch => sampler.Epoch = epoch);

    /// <summary>
    /// Trains <paramref name="experiment"/> data-parallel: its spec's batch size is the global batch, split evenly over the
    /// ranks. Rank 0's initial state is broadcast first. <paramref name="callbacks"/> run on every rank (pass logging and
    /// checkpointing callbacks on rank 0 only). Epoch logs are averaged over ranks before any callback sees them.
    /// Checkpoints: set the trainer's <see cref="Trainer.CheckpointPath"/> to the same file on every rank and
    /// <see cref="Trainer.WritesCheckpoints"/> on rank 0 only; with <paramref name="resume"/> every rank then restores
    /// rank 0's checkpoint (after checking they all see the same file) and its own random state.
    /// </summary>
    public static ExperimentResult Run(Experiment experiment, ICollectives collectives, IEnumerable<Callback>? callbacks = null, bool resume = false,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        var (loader, sampler) = ShardLoader(experiment, collectives);
        BroadcastState(experiment.Model, collectives);
        AverageGradients(experiment.Trainer, collectives);
        Generator.ManualSeed(experiment.Spec.Seed + (ulong)collectives.Rank); // dropout masks differ per rank, as their examples do
        // Collective: every rank takes part, even one without a CheckpointPath (it counts as seeing no file).
        if (resume) RankRandomState.CheckSameCheckpoint(collectives, experiment.Trainer.CheckpointPath ?? "");
        experiment.Trainer.ReduceEpochProgress = figures => ShareOut(collectives, figures);
        var watch = Stopwatch.StartNew();
        var history = experiment.Trainer.Fit(loader, experiment.Spec.Epochs, experiment.ValidationLoader,
            [EpochSetter(sampler), new MetricAverager(collectives), new RankRandomState(collectives, experiment.Spec.Seed), .. experiment.Callbacks, .. callbacks ?? []],
            cancellationToken, resume: resume);
        collectives.Barrier();
        var trainSeconds = watch.Elapsed.TotalSeconds;
        var test = experiment.Trainer.Evaluate(experiment.TestLoader);
        var early = experiment.Callbacks.OfType<EarlyStopping>().FirstOrDefault();
        var samples = (double)history.Epochs.Count * sampler.Steps * sampler.GlobalBatchSize;
        return new ExperimentResult(history, test, watch.Elapsed.TotalSeconds, trainSeconds > 0 ? samples / trainSeconds : 0, early?.BestEpoch ?? BestEpoch(history));
    }

    /// <summary>This rank's training loader: the experiment's training data, sharded, with the per-rank batch and the same transform.</summary>
    public static (DataLoader Loader, DistributedSampler Sampler) ShardLoader(Experiment experiment, ICollectives collectives)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        ArgumentNullException.ThrowIfNull(collectives);
        var full = experiment.TrainLoader;
        var sampler = new DistributedSampler(full.Dataset, full.BatchSize, collectives.Rank, collectives.Size, full.Shuffle, full.Seed);
        return (new DataLoader(sampler, sampler.LocalBatchSize, shuffle: false, prefetch: full.Prefetch, transform: full.Transform), sampler);
    }

    /// <summary>
    /// Replaces each rank's running epoch figures by shares of their sum over the ranks that add up to that sum: whole
    /// numbers (counts, which metrics keep as integers) split into whole shares, others evenly. Every rank then resumes
    /// from the same totals, and as the figures are sums with equal example counts per rank, the rank mean of the epoch's
    /// ratios (loss, accuracy) is what it would have been.
    /// </summary>
    public static void ShareOut(ICollectives collectives, Span<double> values)
    {
        ArgumentNullException.ThrowIfNull(collectives);
        collectives.AllReduceSum(values);
        var n = collectives.Size;
        foreach (ref var v in values)
        {
            if (v != Math.Floor(v) || Math.Abs(v) > (1L << 52))
            {
                v /= n;
                continue;
            }
            var quotient = Math.Floor(v / n);
            v = quotient + (collectives.Rank < v - (quotient * n) ? 1 : 0);
        }
    }

    private static int BestEpoch(History history)
    {
        var key = history.Keys.Contains("val_loss") ? "val_loss" : "loss";
        var values = history[key];
        return values.Length == 0 ? -1 : Array.IndexOf(values, values.Where(double.IsFinite).DefaultIfEmpty(double.NaN).Min());
    }
}

/// <summary>
/// Replaces each epoch log value by its mean over the ranks (one double allreduce over all keys, in sorted order).
/// With equal shards, the mean of per-rank averages is the global average. Put it before callbacks that read the logs.
/// </summary>
public sealed class MetricAverager(ICollectives collectives) : Callback
{
    public override void OnEpochEnd(int epoch, IDictionary<string, double> logs)
    {
        ArgumentNullException.ThrowIfNull(logs);
        if (collectives.Size == 1) return;
        var keys = logs.Keys.Order(StringComparer.Ordinal).ToArray();
        var values = keys.Select(k => logs[k]).ToArray();
        collectives.AllReduceSum(values);
        for (var i = 0; i < keys.Length; i++) logs[keys[i]] = values[i] / collectives.Size;
    }
}
