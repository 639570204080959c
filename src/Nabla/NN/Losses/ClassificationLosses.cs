using static Nabla.NN.LossMath;

namespace Nabla.NN;

/// <summary>
/// Categorical cross-entropy from logits [N, C] with class-index or probability targets, see <see cref="Losses.CrossEntropy"/>.
/// <code>new CrossEntropyLoss(labelSmoothing: 0.1f)</code>
/// </summary>
public sealed class CrossEntropyLoss(Tensor? weight = null, int? ignoreIndex = null, float labelSmoothing = 0f, Reduction reduction = Reduction.Mean)
    : Loss("cross_entropy", reduction)
{
    public Tensor? Weight { get; } = weight;
    public int? IgnoreIndex { get; } = ignoreIndex;
    public float LabelSmoothing { get; } = RequireInRange(nameof(CrossEntropyLoss), "labelSmoothing", labelSmoothing, 0f, 1f);

    public override Tensor Compute(Tensor prediction, Tensor target) =>
        Losses.CrossEntropy(prediction, target, Weight, IgnoreIndex, LabelSmoothing, Reduction);

    public override string ToString() => $"CrossEntropyLoss(labelSmoothing: {LabelSmoothing}, ignoreIndex: {IgnoreIndex?.ToString() ?? "none"}, reduction: {Reduction})";
}

/// <summary>Negative log-likelihood on log-probabilities, see <see cref="Losses.Nll"/>.</summary>
public sealed class NllLoss(Tensor? weight = null, int? ignoreIndex = null, float labelSmoothing = 0f, Reduction reduction = Reduction.Mean)
    : Loss("nll", reduction)
{
    public Tensor? Weight { get; } = weight;
    public int? IgnoreIndex { get; } = ignoreIndex;
    public float LabelSmoothing { get; } = RequireInRange(nameof(NllLoss), "labelSmoothing", labelSmoothing, 0f, 1f);

    public override Tensor Compute(Tensor prediction, Tensor target) =>
        Losses.Nll(prediction, target, Weight, IgnoreIndex, LabelSmoothing, Reduction);
}

/// <summary>KL divergence with PyTorch's kl_div conventions (input log-probabilities), see <see cref="Losses.KlDiv"/>.</summary>
public sealed class KlDivLoss(bool logTarget = false, Reduction reduction = Reduction.BatchMean) : Loss("kl_div", reduction)
{
    public bool LogTarget { get; } = logTarget;

    public override Tensor Compute(Tensor prediction, Tensor target) => Losses.KlDiv(prediction, target, Reduction, LogTarget);
}
