using static Nabla.NN.LossMath;

namespace Nabla.NN;

public static partial class Losses
{
    /// <summary>
    /// Binary cross-entropy on probabilities p ∈ [0, 1] with targets t (usually 0/1), any shape:
    /// ℓ = -w·[t·log p + (1 - t)·log(1 - p)] per element. Each log is clamped to ≥ -100 as in PyTorch, so
    /// p = 0 or 1 gives a finite loss; the gradient divides by max(p, 1e-12) instead of p.
    /// Prefer <see cref="BinaryCrossEntropyWithLogits"/> for training: it is exact where this one saturates.
    /// The optional <paramref name="weight"/> rescales each element's loss and broadcasts to the input's shape.
    /// </summary>
    public static Tensor BinaryCrossEntropy(Tensor probabilities, Tensor target, Tensor? weight = null, Reduction reduction = Reduction.Mean)
    {
        const string name = "BceLoss";
        CheckSameShape(name, probabilities, target, "probabilities");
        CheckProbabilities(name, probabilities);
        var loss = -(target * ClampedLog(probabilities) + (1f - target) * ClampedLog(1f - probabilities));
        if (weight is not null)
        {
            CheckBroadcastsTo(name, "weight", weight, loss.Shape);
            loss = loss * weight;
        }
        return Reduce(loss, reduction, name);
    }

    /// <summary>
    /// Binary cross-entropy on logits x (before the sigmoid), computed stably as
    /// ℓ = (1 - t)·softplus(x) + pw·t·softplus(-x) (= max(x, 0) - x·t + log1p(e^-|x|) when pw = 1),
    /// where softplus(-x) = -log σ(x). Finite values and gradients for any finite logit.
    /// <paramref name="posWeight"/> (pw, e.g. [C] for [N, C] multi-label targets) weighs the positive term:
    /// n_negative/n_positive balances classes. <paramref name="weight"/> rescales each element's loss; both broadcast to the input's shape.
    /// </summary>
    public static Tensor BinaryCrossEntropyWithLogits(Tensor logits, Tensor target, Tensor? posWeight = null, Tensor? weight = null, Reduction reduction = Reduction.Mean)
    {
        const string name = "BceWithLogitsLoss";
        CheckSameShape(name, logits, target, "logits");
        var softplus = Softplus(logits);                    // -log(1 - σ(x))
        Tensor loss;
        if (posWeight is null)
        {
            loss = softplus - target * logits;
        }
        else
        {
            CheckBroadcastsTo(name, "posWeight", posWeight, logits.Shape);
            loss = (1f - target) * softplus + posWeight * target * (softplus - logits); // softplus(x) - x = softplus(-x)
        }
        if (weight is not null)
        {
            CheckBroadcastsTo(name, "weight", weight, loss.Shape);
            loss = loss * weight;
        }
        return Reduce(loss, reduction, name);
    }

    /// <summary>
    /// The GAN discriminator's loss from its logits on real and on generated data: BCE-with-logits of real → 1
    /// plus BCE-with-logits of fake → 0, i.e. -log D(x) - log(1 - D(G(z))) with D = σ(logit).
    /// Mean: mean over the real batch + mean over the fake batch (each term an expectation of the GAN objective,
    /// as in Goodfellow et al. 2014); Sum and BatchMean likewise reduce each part and add;
    /// None: the per-element losses of both, flattened and concatenated (real first).
    /// </summary>
    public static Tensor GanDiscriminator(Tensor realLogits, Tensor fakeLogits, Reduction reduction = Reduction.Mean)
    {
        const string name = "GanDiscriminatorLoss";
        CheckReduction(reduction, name);
        var real = Softplus(-realLogits);  // -log σ(x)
        var fake = Softplus(fakeLogits);   // -log(1 - σ(x))
        if (reduction == Reduction.None) return Tensor.Concat([real.Reshape(-1), fake.Reshape(-1)]);
        return Reduce(real, reduction, name) + Reduce(fake, reduction, name);
    }

    /// <summary>
    /// The generator's original minimax loss: minimise log(1 - D(G(z))) = -softplus(x) for the discriminator's
    /// logit x on generated data. It is negative, and its gradient -σ(x) vanishes when the discriminator
    /// confidently rejects the fakes (x → -∞): the saturation that <see cref="GanGeneratorNonSaturating"/> avoids.
    /// </summary>
    public static Tensor GanGeneratorMinimax(Tensor fakeLogits, Reduction reduction = Reduction.Mean) =>
        Reduce(-Softplus(fakeLogits), reduction, "GanGeneratorLoss");

    /// <summary>
    /// The generator's non-saturating loss: minimise -log D(G(z)) = softplus(-x), the same as BCE-with-logits
    /// with target 1. Its gradient σ(x) - 1 is largest exactly when the fakes are rejected.
    /// </summary>
    public static Tensor GanGeneratorNonSaturating(Tensor fakeLogits, Reduction reduction = Reduction.Mean) =>
        Reduce(Softplus(-fakeLogits), reduction, "GanGeneratorLoss");

    private static void CheckProbabilities(string name, Tensor probabilities)
    {
        var values = probabilities.ToArray();
        for (var i = 0; i < values.Length; i++)
        {
            if (!(values[i] >= 0f && values[i] <= 1f))
            {
                throw new ArgumentException($"{name}: probabilities must lie in [0, 1], but element {i} is {values[i]}; " +
                    "for raw scores (logits) use BinaryCrossEntropyWithLogits.");
            }
        }
    }
}
