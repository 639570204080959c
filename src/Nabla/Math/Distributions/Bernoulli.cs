using Nabla.NN;

namespace Nabla.Mathematics.Distributions;

/// <summary>
/// Bernoulli(p) on {0, 1}: P(1) = p. Built from probabilities or, for numerical stability in training,
/// from logits (<see cref="FromLogits"/>, p = σ(logit)).
/// </summary>
public sealed class Bernoulli : DiscreteDistribution
{
    private readonly Tensor? _logits;

    public Bernoulli(Tensor probs) : base(Parameters.Broadcast("Bernoulli", probs), Shape.Scalar)
    {
        Parameters.Probability(probs, "Bernoulli", "probs");
        Probs = probs;
    }

    public Bernoulli(float probs) : this(Tensor.Scalar(probs))
    {
    }

    private Bernoulli(Tensor logits, bool _) : base(Parameters.Broadcast("Bernoulli", logits), Shape.Scalar)
    {
        Parameters.Finite(logits, "Bernoulli", "logits");
        _logits = logits;
        Probs = logits.Sigmoid();
    }

    /// <summary>Bernoulli with p = σ(logits); its LogProb is x·logit - softplus(logit), stable for large |logit|.</summary>
    public static Bernoulli FromLogits(Tensor logits) => new(logits, true);

    /// <summary>p = P(X = 1).</summary>
    public Tensor Probs { get; }

    public override Tensor Mean => Probs;

    public override Tensor Variance => Probs * (1f - Probs);

    /// <summary>log p for x = 1, log(1 - p) for x = 0; values must be 0 or 1.</summary>
    public override Tensor LogProb(Tensor value)
    {
        Discrete.RequireValues(value, v => v is 0f or 1f, Name, "0 or 1");
        if (_logits is not null) return value * _logits - Functional.Softplus(_logits);
        return Tensor.Where(value, Probs, 1f - Probs).Log(); // choose before the log: no 0·log 0
    }

    /// <summary>0 below 0, 1 - p on [0, 1), 1 from 1 on.</summary>
    public override Tensor Cdf(Tensor value) =>
        Tensor.Where(value.Lt(0f), Tensor.Scalar(0f), Tensor.Where(value.Lt(1f), 1f - Probs, Tensor.Scalar(1f)));

    /// <summary>-p log p - (1 - p) log(1 - p).</summary>
    public override Tensor Entropy() => -(Special.Xlogy(Probs, Probs) + Special.Xlogy(1f - Probs, 1f - Probs));

    protected override Tensor Draw(int[] sampleShape, Generator generator) =>
        Tensor.Rand(ExtendedShape(sampleShape), generator).Lt(Probs);
}
