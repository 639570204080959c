namespace Nabla.Optim;

/// <summary>How <see cref="OneCycleLR"/> moves between its phase end points.</summary>
public enum AnnealStrategy
{
    /// <summary>end + (start − end)·(1 + cos(π·pct)) / 2.</summary>
    Cos,

    /// <summary>start + (end − start)·pct.</summary>
    Linear,
}

/// <summary>
/// The one-cycle policy (Smith and Topin, 2018), PyTorch's OneCycleLR, stepped once per batch for
/// <c>totalSteps</c> batches. The rate rises from maxLr/divFactor to maxLr over the first pctStart of the steps
/// (phase end at step pctStart·totalSteps − 1), then falls to maxLr/(divFactor·finalDivFactor) at step totalSteps − 1.
/// With threePhase it first falls back to maxLr/divFactor symmetrically and only then to the minimum.
/// With cycleMomentum the optimizer's momentum (Sgd, RmsProp) or beta1 (Adam family) moves the opposite
/// way, between maxMomentum and baseMomentum; optimizers without momentum (Adagrad) need cycleMomentum: false.
/// </summary>
public sealed class OneCycleLR : LearningRateSchedule
{
    private readonly float[] _maxLearningRates;
    private readonly Phase[][] _phases;
    private readonly string? _momentumOption;

    public OneCycleLR(Optimizer optimizer, float maxLearningRate, int totalSteps, float pctStart = 0.3f, AnnealStrategy annealStrategy = AnnealStrategy.Cos,
        bool cycleMomentum = true, float baseMomentum = 0.85f, float maxMomentum = 0.95f, float divFactor = 25f, float finalDivFactor = 1e4f, bool threePhase = false)
        : this(optimizer, Enumerable.Repeat(maxLearningRate, optimizer?.ParamGroups.Count ?? 0).ToArray(), totalSteps, pctStart, annealStrategy,
            cycleMomentum, baseMomentum, maxMomentum, divFactor, finalDivFactor, threePhase) { }

    /// <summary>With one maximum rate per parameter group.</summary>
    public OneCycleLR(Optimizer optimizer, IReadOnlyList<float> maxLearningRates, int totalSteps, float pctStart = 0.3f, AnnealStrategy annealStrategy = AnnealStrategy.Cos,
        bool cycleMomentum = true, float baseMomentum = 0.85f, float maxMomentum = 0.95f, float divFactor = 25f, float finalDivFactor = 1e4f, bool threePhase = false)
        : base(optimizer)
    {
        ArgumentNullException.ThrowIfNull(maxLearningRates);
        if (maxLearningRates.Count != optimizer.ParamGroups.Count)
        {
            throw new ArgumentException($"OneCycleLR: got {maxLearningRates.Count} maximum learning rates for {optimizer.ParamGroups.Count} parameter groups.", nameof(maxLearningRates));
        }
        foreach (var lr in maxLearningRates) Schedules.CheckPositive(lr, "maxLearningRate", Name);
        if (totalSteps <= 0) throw new ArgumentOutOfRangeException(nameof(totalSteps), $"OneCycleLR: totalSteps must be positive; got {totalSteps}.");
        if (!(pctStart is >= 0f and <= 1f)) throw new ArgumentOutOfRangeException(nameof(pctStart), $"OneCycleLR: pctStart must be in [0, 1]; got {pctStart}.");
        Schedules.CheckPositive(divFactor, nameof(divFactor), Name);
        Schedules.CheckPositive(finalDivFactor, nameof(finalDivFactor), Name);
        if (cycleMomentum)
        {
            _momentumOption = optimizer.MomentumOption ?? throw new ArgumentException(
                $"OneCycleLR: {optimizer.Name} has no momentum (or beta1) to cycle; pass cycleMomentum: false.", nameof(cycleMomentum));
            if (!(baseMomentum >= 0f && baseMomentum <= maxMomentum && maxMomentum < 1f))
            {
                throw new ArgumentException($"OneCycleLR: momentum must satisfy 0 <= baseMomentum <= maxMomentum < 1; got {baseMomentum} and {maxMomentum}.");
            }
        }
        _maxLearningRates = [.. maxLearningRates];
        TotalSteps = totalSteps;
        AnnealStrategy = annealStrategy;
        BaseMomentum = baseMomentum;
        MaxMomentum = maxMomentum;
        _phases = new Phase[_maxLearningRates.Length][];
        for (var g = 0; g < _phases.Length; g++)
        {
            double max = _maxLearningRates[g], initial = max / divFactor, min = initial / finalDivFactor;
            var rampEnd = (double)pctStart * totalSteps - 1;
            _phases[g] = threePhase
                ? [new(rampEnd, initial, max, maxMomentum, baseMomentum), new(2 * (double)pctStart * totalSteps - 2, max, initial, baseMomentum, maxMomentum),
                   new(totalSteps - 1, initial, min, maxMomentum, maxMomentum)]
                : [new(rampEnd, initial, max, maxMomentum, baseMomentum), new(totalSteps - 1, max, min, baseMomentum, maxMomentum)];
        }
        var ends = _phases[0].Select(p => p.End).Prepend(0).ToArray();
        for (var i = 1; i < ends.Length; i++)
        {
            if (!(ends[i] > ends[i - 1]))
            {
                throw new ArgumentException($"OneCycleLR: with totalSteps {totalSteps} and pctStart {pctStart} a phase of the cycle would have no steps; use more steps or a different pctStart.");
            }
        }
        Start();
    }

    public int TotalSteps { get; }
    public AnnealStrategy AnnealStrategy { get; }
    public float BaseMomentum { get; }
    public float MaxMomentum { get; }
    public IReadOnlyList<float> MaxLearningRates => _maxLearningRates;

    protected internal override double ComputeLearningRate(int epoch, int group)
    {
        var (phase, pct) = Locate(epoch, group);
        return Anneal(phase.StartLr, phase.EndLr, pct);
    }

    /// <summary>The momentum (or beta1) at <paramref name="epoch"/>: maxMomentum while the rate is low, baseMomentum at its peak.</summary>
    public double MomentumAt(int epoch)
    {
        var (phase, pct) = Locate(epoch, 0);
        return Anneal(phase.StartMomentum, phase.EndMomentum, pct);
    }

    protected override void Apply(int epoch)
    {
        base.Apply(epoch);
        if (_momentumOption is null) return;
        var momentum = (float)MomentumAt(epoch);
        foreach (var group in Optimizer.ParamGroups) group[_momentumOption] = momentum;
    }

    private (Phase Phase, double Pct) Locate(int epoch, int group)
    {
        if (epoch > TotalSteps)
        {
            throw new InvalidOperationException($"OneCycleLR: step {epoch} is past totalSteps ({TotalSteps}); the cycle is over. Create the schedule with enough steps (epochs × batches per epoch).");
        }
        var phases = _phases[group];
        double start = 0;
        for (var i = 0; ; i++)
        {
            var phase = phases[i];
            if (epoch <= phase.End || i == phases.Length - 1) return (phase, (epoch - start) / (phase.End - start));
            start = phase.End;
        }
    }

    private double Anneal(double start, double end, double pct) => AnnealStrategy == AnnealStrategy.Cos
        ? end + (start - end) / 2 * (Math.Cos(Math.PI * pct) + 1)
        : (end - start) * pct + start;

    /// <summary>A stretch of the cycle ending at step <c>End</c>, with the values it moves between.</summary>
    private readonly record struct Phase(double End, double StartLr, double EndLr, double StartMomentum, double EndMomentum);
}
