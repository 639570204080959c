namespace Nabla.NN;

/// <summary>Binary cross-entropy on probabilities, see <see cref="Losses.BinaryCrossEntropy"/>.</summary>
public sealed class BceLoss(Tensor? weight = null, Reduction reduction = Reduction.Mean) : Loss("bce", reduction)
{
    public Tensor? Weight { get; } = weight;

    public override Tensor Compute(Tensor prediction, Tensor target) => Losses.BinaryCrossEntropy(prediction, target, Weight, Reduction);
}

/// <summary>Binary cross-entropy on logits (stable), see <see cref="Losses.BinaryCrossEntropyWithLogits"/>.</summary>
public sealed class BceWithLogitsLoss(Tensor? posWeight = null, Tensor? weight = null, Reduction reduction = Reduction.Mean)
    : Loss("bce_with_logits", reduction)
{
    public Tensor? PosWeight { get; } = posWeight;
    public Tensor? Weight { get; } = weight;

    public override Tensor Compute(Tensor prediction, Tensor target) =>
        Losses.BinaryCrossEntropyWithLogits(prediction, target, PosWeight, Weight, Reduction);
}

/// <summary>
/// The GAN discriminator's loss, see <see cref="Losses.GanDiscriminator"/>. Here <c>prediction</c> is the
/// discriminator's logits on real data and <c>target</c> its logits on generated data.
/// </summary>
public sealed class GanDiscriminatorLoss(Reduction reduction = Reduction.Mean) : Loss("gan_discriminator", reduction)
{
    public override Tensor Compute(Tensor prediction, Tensor target) => Losses.GanDiscriminator(prediction, target, Reduction);
}

/// <summary>
/// The GAN generator's loss from the discriminator's logits on generated data (<c>prediction</c>; <c>target</c>
/// is not used): non-saturating -log D(G(z)) by default (<see cref="Losses.GanGeneratorNonSaturating"/>),
/// or the original minimax log(1 - D(G(z))) (<see cref="Losses.GanGeneratorMinimax"/>).
/// </summary>
public sealed class GanGeneratorLoss(bool nonSaturating = true, Reduction reduction = Reduction.Mean)
    : Loss(nonSaturating ? "gan_generator" : "gan_generator_minimax", reduction)
{
    public bool NonSaturating { get; } = nonSaturating;

    public override Tensor Compute(Tensor prediction, Tensor target) => NonSaturating
        ? Losses.GanGeneratorNonSaturating(prediction, Reduction)
        : Losses.GanGeneratorMinimax(prediction, Reduction);
}
