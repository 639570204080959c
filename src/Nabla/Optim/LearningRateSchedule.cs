using Nabla.NN;

namespace Nabla.Optim;

/// <summary>
/// Adjusts an optimizer's learning rates as training proceeds. A schedule is attached to an optimizer when
/// created, records each group's learning rate as that group's base, and sets the rate for epoch 0 at once.
/// Call <see cref="Step"/> once per epoch (or per batch for warm-up and one-cycle) after the optimizer's step.
/// Rates follow PyTorch's closed forms f(base, epoch), so a schedule can jump to any epoch
/// (<see cref="LastEpoch"/>) and never drifts; each group's base scales independently.
/// </summary>
public abstract class LearningRateSchedule
{
    private readonly float[] _baseLearningRates;
    private int _lastEpoch;

    protected LearningRateSchedule(Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        Optimizer = optimizer;
        _baseLearningRates = [.. optimizer.ParamGroups.Select(g => g.LearningRate)];
    }

    /// <summary>The optimizer whose learning rates this schedule sets.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>The schedule's name in messages, e.g. <c>StepLR</c>.</summary>
    public virtual string Name => GetType().Name;

    /// <summary>Each group's learning rate when the schedule was attached.</summary>
    public IReadOnlyList<float> BaseLearningRates => _baseLearningRates;

    /// <summary>Steps taken so far (0 right after creation). Setting it moves the schedule there and sets the rates for that epoch.</summary>
    public int LastEpoch
    {
        get => _lastEpoch;
        set
        {
            if (value < 0) throw new ArgumentOutOfRangeException(nameof(value), $"{Name}: LastEpoch must be >= 0; got {value}.");
            if (Optimizer.ParamGroups.Count != _baseLearningRates.Length)
            {
                throw new InvalidOperationException($"{Name}: the optimizer has {Optimizer.ParamGroups.Count} parameter groups but the schedule was created for {_baseLearningRates.Length}; create the schedule after adding groups.");
            }
            Apply(value);
            _lastEpoch = value;
        }
    }

    /// <summary>The first group's current learning rate.</summary>
    public float CurrentLearningRate => Optimizer.ParamGroups[0].LearningRate;

    /// <summary>Every group's current learning rate.</summary>
    public IReadOnlyList<float> CurrentLearningRates => [.. Optimizer.ParamGroups.Select(g => g.LearningRate)];

    /// <summary>True for schedules driven by a monitored metric (<see cref="ReduceLROnPlateau"/>), which are stepped with <c>Step(metric)</c>.</summary>
    public virtual bool RequiresMetric => false;

    /// <summary>Advances one epoch (or batch) and sets the learning rates for it.</summary>
    public virtual void Step() => LastEpoch = _lastEpoch + 1;

    /// <summary>The learning rate of parameter group <paramref name="group"/> at <paramref name="epoch"/>.</summary>
    protected internal abstract double ComputeLearningRate(int epoch, int group);

    /// <summary>Sets the optimizer's rates (and anything else the schedule drives) for <paramref name="epoch"/>.</summary>
    protected virtual void Apply(int epoch)
    {
        for (var g = 0; g < _baseLearningRates.Length; g++)
        {
            Optimizer.ParamGroups[g].LearningRate = (float)ComputeLearningRate(epoch, g);
        }
    }

    /// <summary>Sets the rates for epoch 0; derived constructors call it last, once their settings are stored.</summary>
    protected void Start() => LastEpoch = 0;

    /// <summary>The schedule's position for checkpoints: <c>last_epoch</c> and <c>base_lr.{g}</c>, as one-element tensors.</summary>
    public virtual StateDict StateDict()
    {
        var dict = new StateDict { { "last_epoch", Tensor.Scalar(_lastEpoch) } };
        for (var g = 0; g < _baseLearningRates.Length; g++) dict.Add($"base_lr.{g}", Tensor.Scalar(_baseLearningRates[g]));
        return dict;
    }

    /// <summary>Restores a state saved by <see cref="StateDict"/> and sets the learning rates of the restored epoch.</summary>
    public virtual void LoadStateDict(IReadOnlyDictionary<string, Tensor> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var expected = StateDict().Keys.ToHashSet();
        var problems = new List<string>();
        foreach (var key in state.Keys.Where(k => !expected.Contains(k))) problems.Add($"unexpected key '{key}'");
        foreach (var key in expected.Where(k => !state.ContainsKey(k))) problems.Add($"missing key '{key}'");
        foreach (var (key, value) in state.Where(kv => expected.Contains(kv.Key) && kv.Value.Count != 1)) problems.Add($"'{key}' should hold one number but has shape {value.Shape}");
        if (problems.Count > 0)
        {
            throw new ArgumentException($"{Name}.LoadStateDict: the state does not match this schedule ({_baseLearningRates.Length} parameter group(s)): {string.Join("; ", problems)}.", nameof(state));
        }
        var epoch = state["last_epoch"].Item();
        if (!(epoch >= 0f) || epoch != MathF.Floor(epoch))
        {
            throw new ArgumentException($"{Name}.LoadStateDict: last_epoch should be a whole number >= 0 but is {epoch}.", nameof(state));
        }
        for (var g = 0; g < _baseLearningRates.Length; g++) _baseLearningRates[g] = state[$"base_lr.{g}"].Item();
        LoadExtraState(state);
        LastEpoch = (int)epoch;
    }

    /// <summary>Reads what a derived schedule added to <see cref="StateDict"/> (keys already checked to be present).</summary>
    protected virtual void LoadExtraState(IReadOnlyDictionary<string, Tensor> state) { }
}
