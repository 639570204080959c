namespace Nabla.Optim;

/// <summary>Step decay: lr = base · γ^⌊epoch / stepSize⌋ (PyTorch's StepLR).</summary>
public sealed class StepLR : LearningRateSchedule
{
    public StepLR(Optimizer optimizer, int stepSize, float gamma = 0.1f) : base(optimizer)
    {
        if (stepSize <= 0) throw new ArgumentOutOfRangeException(nameof(stepSize), $"StepLR: stepSize must be positive; got {stepSize}.");
        Schedules.CheckPositive(gamma, nameof(gamma), Name);
        StepSize = stepSize;
        Gamma = gamma;
        Start();
    }

    public int StepSize { get; }
    public float Gamma { get; }

    protected internal override double ComputeLearningRate(int epoch, int group) =>
        BaseLearningRates[group] * Math.Pow(Gamma, epoch / StepSize);
}

/// <summary>Decay at milestones: lr = base · γ^(number of milestones ≤ epoch) (PyTorch's MultiStepLR).</summary>
public sealed class MultiStepLR : LearningRateSchedule
{
    private readonly int[] _milestones;

    public MultiStepLR(Optimizer optimizer, IEnumerable<int> milestones, float gamma = 0.1f) : base(optimizer)
    {
        ArgumentNullException.ThrowIfNull(milestones);
        _milestones = [.. milestones.Order()];
        if (_milestones.Length == 0 || _milestones[0] < 0)
        {
            throw new ArgumentException($"MultiStepLR: milestones must be a non-empty list of epochs >= 0; got [{string.Join(", ", _milestones)}].", nameof(milestones));
        }
        Schedules.CheckPositive(gamma, nameof(gamma), Name);
        Gamma = gamma;
        Start();
    }

    /// <summary>The epochs at which the rate is multiplied by γ, ascending (a repeated milestone applies γ twice).</summary>
    public IReadOnlyList<int> Milestones => _milestones;
    public float Gamma { get; }

    protected internal override double ComputeLearningRate(int epoch, int group) =>
        BaseLearningRates[group] * Math.Pow(Gamma, _milestones.Count(m => m <= epoch));
}

/// <summary>Exponential decay: lr = base · γ^epoch (PyTorch's ExponentialLR).</summary>
public sealed class ExponentialLR : LearningRateSchedule
{
    public ExponentialLR(Optimizer optimizer, float gamma) : base(optimizer)
    {
        Schedules.CheckPositive(gamma, nameof(gamma), Name);
        Gamma = gamma;
        Start();
    }

    public float Gamma { get; }

    protected internal override double ComputeLearningRate(int epoch, int group) =>
        BaseLearningRates[group] * Math.Pow(Gamma, epoch);
}
