using Nabla.NN;

namespace Nabla.Optim;

/// <summary>Whether <see cref="ReduceLROnPlateau"/> watches a metric that should fall (a loss) or rise (an accuracy).</summary>
public enum PlateauMode
{
    Min,
    Max,
}

/// <summary>How <see cref="ReduceLROnPlateau"/> decides that a metric improved on the best so far.</summary>
public enum ThresholdMode
{
    /// <summary>Better by a fraction: below best·(1 − threshold) in Min mode, above best·(1 + threshold) in Max mode.</summary>
    Relative,

    /// <summary>Better by an amount: below best − threshold in Min mode, above best + threshold in Max mode.</summary>
    Absolute,
}

/// <summary>
/// Cuts the learning rate when a monitored metric stops improving (PyTorch's ReduceLROnPlateau). Call
/// <see cref="Step(float)"/> once per epoch with the metric (e.g. the validation loss). An epoch that does not
/// improve on the best value by the threshold is a bad epoch; after more than <c>patience</c> bad epochs in a
/// row every group's rate becomes max(lr·factor, minLearningRate) (changes smaller than eps are skipped), and
/// bad epochs are not counted for the next <c>cooldown</c> epochs.
/// </summary>
public sealed class ReduceLROnPlateau : LearningRateSchedule
{
    public ReduceLROnPlateau(Optimizer optimizer, PlateauMode mode = PlateauMode.Min, float factor = 0.1f, int patience = 10, float threshold = 1e-4f,
        ThresholdMode thresholdMode = ThresholdMode.Relative, int cooldown = 0, float minLearningRate = 0f, float eps = 1e-8f)
        : base(optimizer)
    {
        if (!(factor is > 0f and < 1f)) throw new ArgumentOutOfRangeException(nameof(factor), $"ReduceLROnPlateau: factor must be in (0, 1); got {factor}.");
        if (patience < 0) throw new ArgumentOutOfRangeException(nameof(patience), $"ReduceLROnPlateau: patience must be >= 0; got {patience}.");
        if (cooldown < 0) throw new ArgumentOutOfRangeException(nameof(cooldown), $"ReduceLROnPlateau: cooldown must be >= 0; got {cooldown}.");
        Schedules.CheckNonNegative(threshold, nameof(threshold), Name);
        Schedules.CheckNonNegative(minLearningRate, nameof(minLearningRate), Name);
        Schedules.CheckNonNegative(eps, nameof(eps), Name);
        Mode = mode;
        Factor = factor;
        Patience = patience;
        Threshold = threshold;
        ThresholdMode = thresholdMode;
        Cooldown = cooldown;
        MinLearningRate = minLearningRate;
        Eps = eps;
        Best = mode == PlateauMode.Min ? float.PositiveInfinity : float.NegativeInfinity;
    }

    public PlateauMode Mode { get; }
    public float Factor { get; }
    public int Patience { get; }
    public float Threshold { get; }
    public ThresholdMode ThresholdMode { get; }
    public int Cooldown { get; }
    public float MinLearningRate { get; }
    public float Eps { get; }

    /// <summary>The best metric seen so far (±∞ before the first step).</summary>
    public float Best { get; private set; }

    /// <summary>Epochs in a row without improvement.</summary>
    public int BadEpochs { get; private set; }

    /// <summary>Epochs of cooldown left after the last reduction.</summary>
    public int CooldownCounter { get; private set; }

    public override bool RequiresMetric => true;

    /// <summary>Not available: this schedule needs the metric; call <see cref="Step(float)"/>.</summary>
    public override void Step() => throw new InvalidOperationException("ReduceLROnPlateau: Step() needs the monitored metric; call Step(metric), e.g. Step(validationLoss).");

    /// <summary>Records one epoch's metric and reduces the rates if it has plateaued.</summary>
    public void Step(float metric)
    {
        LastEpoch++;
        if (IsBetter(metric))
        {
            Best = metric;
            BadEpochs = 0;
        }
        else
        {
            BadEpochs++;
        }
        if (CooldownCounter > 0)
        {
            CooldownCounter--;
            BadEpochs = 0;
        }
        if (BadEpochs > Patience)
        {
            foreach (var group in Optimizer.ParamGroups)
            {
                var old = (double)group.LearningRate;
                var reduced = Math.Max(old * Factor, MinLearningRate);
                if (old - reduced > Eps) group.LearningRate = (float)reduced;
            }
            CooldownCounter = Cooldown;
            BadEpochs = 0;
        }
    }

    private bool IsBetter(double metric) => (Mode, ThresholdMode) switch
    {
        (PlateauMode.Min, ThresholdMode.Relative) => metric < Best * (1.0 - Threshold),
        (PlateauMode.Min, ThresholdMode.Absolute) => metric < Best - (double)Threshold,
        (PlateauMode.Max, ThresholdMode.Relative) => metric > Best * (1.0 + Threshold),
        _ => metric > Best + (double)Threshold,
    };

    /// <summary>The rates are whatever the optimizer holds: this schedule only ever reduces them.</summary>
    protected internal override double ComputeLearningRate(int epoch, int group) => Optimizer.ParamGroups[group].LearningRate;

    /// <summary>Adds <c>best</c>, <c>num_bad_epochs</c> and <c>cooldown_counter</c>.</summary>
    public override StateDict StateDict()
    {
        var dict = base.StateDict();
        dict.Add("best", Tensor.Scalar(Best));
        dict.Add("num_bad_epochs", Tensor.Scalar(BadEpochs));
        dict.Add("cooldown_counter", Tensor.Scalar(CooldownCounter));
        return dict;
    }

    protected override void LoadExtraState(IReadOnlyDictionary<string, Tensor> state)
    {
        Best = state["best"].Item();
        BadEpochs = (int)state["num_bad_epochs"].Item();
        CooldownCounter = (int)state["cooldown_counter"].Item();
    }
}
