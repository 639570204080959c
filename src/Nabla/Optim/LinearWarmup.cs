using Nabla.NN;

namespace Nabla.Optim;

/// <summary>
/// Linear warm-up: over the first <c>warmupSteps</c> steps the rate grows linearly from
/// startFactor·target to target, lr = target·(startFactor + (1 − startFactor)·epoch / warmupSteps)
/// (PyTorch's LinearLR with end factor 1). The target is each group's base rate, or, when a following
/// schedule is given, the rate that schedule starts at; from step warmupSteps on the following schedule
/// runs as if started then (PyTorch's SequentialLR of the two). Step only the warm-up; it drives the follower:
/// <code>
/// var schedule = new LinearWarmup(optimizer, warmupSteps: 500, startFactor: 0.01f,
///     then: new CosineAnnealingLR(optimizer, tMax: 9500));
/// </code>
/// </summary>
public sealed class LinearWarmup : LearningRateSchedule
{
    private const string ThenPrefix = "then.";

    public LinearWarmup(Optimizer optimizer, int warmupSteps, float startFactor = 1f / 3f, LearningRateSchedule? then = null) : base(optimizer)
    {
        if (warmupSteps <= 0) throw new ArgumentOutOfRangeException(nameof(warmupSteps), $"LinearWarmup: warmupSteps must be positive; got {warmupSteps}.");
        if (!(startFactor is >= 0f and <= 1f)) throw new ArgumentOutOfRangeException(nameof(startFactor), $"LinearWarmup: startFactor must be in [0, 1]; got {startFactor}.");
        if (then is not null && !ReferenceEquals(then.Optimizer, optimizer))
        {
            throw new ArgumentException("LinearWarmup: the following schedule must be attached to the same optimizer.", nameof(then));
        }
        if (then is { RequiresMetric: true })
        {
            throw new ArgumentException($"LinearWarmup: {then.Name} is driven by a metric, not by the epoch, so it cannot follow a warm-up; step it yourself once the warm-up is over.", nameof(then));
        }
        WarmupSteps = warmupSteps;
        StartFactor = startFactor;
        Then = then;
        Start();
    }

    public int WarmupSteps { get; }
    public float StartFactor { get; }

    /// <summary>The schedule that takes over after the warm-up, if any.</summary>
    public LearningRateSchedule? Then { get; }

    protected internal override double ComputeLearningRate(int epoch, int group)
    {
        if (epoch >= WarmupSteps) return Then?.ComputeLearningRate(epoch - WarmupSteps, group) ?? BaseLearningRates[group];
        var target = Then?.ComputeLearningRate(0, group) ?? BaseLearningRates[group];
        return target * (StartFactor + (1.0 - StartFactor) * epoch / WarmupSteps);
    }

    protected override void Apply(int epoch)
    {
        // The follower sets its own rates (and momentum, for one-cycle) once it is running.
        if (Then is not null && epoch >= WarmupSteps) Then.LastEpoch = epoch - WarmupSteps;
        else base.Apply(epoch);
    }

    /// <summary>Adds the follower's state under <c>then.</c>.</summary>
    public override StateDict StateDict()
    {
        var dict = base.StateDict();
        if (Then is not null)
        {
            foreach (var (key, value) in Then.StateDict()) dict.Add(ThenPrefix + key, value);
        }
        return dict;
    }

    protected override void LoadExtraState(IReadOnlyDictionary<string, Tensor> state)
    {
        if (Then is null) return;
        var inner = new StateDict();
        foreach (var (key, value) in state.Where(kv => kv.Key.StartsWith(ThenPrefix, StringComparison.Ordinal))) inner.Add(key[ThenPrefix.Length..], value);
        Then.LoadStateDict(inner);
    }
}
