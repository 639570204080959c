using System.Diagnostics;
using Nabla.Data;
using Nabla.NN;
using Nabla.Training;

namespace Nabla.Specs;

/// <summary>What one run of a spec produced.</summary>
public sealed record ExperimentResult(History History, IReadOnlyDictionary<string, double> Test, double Seconds, double TrainSamplesPerSecond, int BestEpoch);

/// <summary>
/// Everything a spec describes, built and wired: data loaders, model, loss, optimizer, schedule and trainer.
/// One seed fixes the weights, the shuffling, dropout masks and augmentation.
/// </summary>
public sealed class Experiment
{
    private Experiment(TrainingSpec spec, LoadedData data, Sequential model, Trainer trainer, DataLoader train, DataLoader? validation, DataLoader test, IReadOnlyList<Callback> callbacks)
    {
        (Spec, Data, Model, Trainer, TrainLoader, ValidationLoader, TestLoader, Callbacks) = (spec, data, model, trainer, train, validation, test, callbacks);
    }

    public TrainingSpec Spec { get; }
    public LoadedData Data { get; }
    public Sequential Model { get; }
    public Trainer Trainer { get; }
    public DataLoader TrainLoader { get; }
    public DataLoader? ValidationLoader { get; }
    public DataLoader TestLoader { get; }

    /// <summary>The callbacks the spec asks for (schedule, early stopping).</summary>
    public IReadOnlyList<Callback> Callbacks { get; }

    /// <summary>Loads the data (paths relative to <paramref name="baseDirectory"/>) and builds everything, seeded by the spec's seed.</summary>
    public static Experiment Create(TrainingSpec spec, string baseDirectory, float? learningRate = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var data = spec.Data.Load(baseDirectory, spec.Seed);
        Generator.ManualSeed(spec.Seed);
        var model = spec.BuildModel(data.ExampleShape);
        var optimizer = spec.BuildOptimizer(model, learningRate);
        var trainer = new Trainer(model, optimizer, spec.BuildLoss(), spec.BuildMetrics()) { ClipGradientNorm = spec.ClipGradNorm };
        ITransform? trainTransform = spec.Data.Augment, evalTransform = spec.Data.Normalize;
        if (spec.Data.Normalize is { } n) trainTransform = trainTransform is null ? n : new Compose(trainTransform, n);
        var train = new DataLoader(data.Train, spec.BatchSize, shuffle: spec.Shuffle, seed: spec.Seed, prefetch: true, transform: trainTransform);
        DataLoader Eval(TensorDataset d) => new(d, Math.Max(spec.BatchSize, 256), transform: evalTransform);
        var callbacks = new List<Callback>();
        if (spec.BuildSchedule(optimizer, train.BatchCount) is var (schedule, perBatch))
        {
            callbacks.Add(schedule is Optim.ReduceLROnPlateau plateau
                ? new ReduceLearningRateOnPlateau(plateau, data.Validation is null ? "loss" : "val_loss")
                : new LearningRateScheduler(schedule, perBatch));
        }
        if (spec.BuildEarlyStopping() is { } early) callbacks.Add(early);
        return new Experiment(spec, data, model, trainer, train, data.Validation is null ? null : Eval(data.Validation), Eval(data.Test), callbacks);
    }

    /// <summary>
    /// Trains for the spec's epochs, then evaluates on the test split. With <paramref name="resume"/>, continues from the
    /// trainer's checkpoint (<see cref="Trainer.CheckpointPath"/>) if there is one, ending bitwise where an uninterrupted run would.
    /// </summary>
    public ExperimentResult Run(IEnumerable<Callback>? extraCallbacks = null, CancellationToken cancellationToken = default, bool resume = false)
    {
        Generator.ManualSeed(Spec.Seed); // dropout masks follow the seed whatever ran before
        var watch = Stopwatch.StartNew();
        var history = Trainer.Fit(TrainLoader, Spec.Epochs, ValidationLoader, [.. Callbacks, .. extraCallbacks ?? []], cancellationToken, resume: resume);
        var trainSeconds = watch.Elapsed.TotalSeconds;
        var test = Trainer.Evaluate(TestLoader);
        var early = Callbacks.OfType<EarlyStopping>().FirstOrDefault();
        var best = early?.BestEpoch ?? BestEpoch(history);
        var samples = (double)history.Epochs.Count * TrainLoader.Dataset.Count;
        return new ExperimentResult(history, test, watch.Elapsed.TotalSeconds, trainSeconds > 0 ? samples / trainSeconds : 0, best);
    }

    private static int BestEpoch(History history)
    {
        var key = history.Keys.Contains("val_loss") ? "val_loss" : "loss";
        var values = history[key];
        return values.Length == 0 ? -1 : Array.IndexOf(values, values.Where(double.IsFinite).DefaultIfEmpty(double.NaN).Min());
    }
}
