using Nabla.NN;

namespace Nabla.Mathematics.Distributions;

/// <summary>
/// Categorical over classes 0..K-1 with probabilities p [..., K] (normalised to sum to 1 along the last axis)
/// or logits (<see cref="FromLogits"/>, p = softmax(logits)). Batch shape [...]; each draw is a class index.
/// </summary>
public sealed class Categorical : DiscreteDistribution
{
    private readonly Tensor? _logProbs; // set when built from logits: log-softmax, finite everywhere

    public Categorical(Tensor probs) : base(BatchOf(probs, "probs"), Shape.Scalar)
    {
        Parameters.Require(probs, v => v >= 0 && float.IsFinite(v), "Categorical", "probs", "non-negative and finite");
        Parameters.Require(probs.Detach().Sum(-1), v => v > 0, "Categorical", "each row of probs", "a positive total");
        Probs = probs / probs.Sum(-1, keepDims: true);
    }

    private Categorical(Tensor logits, bool _) : base(BatchOf(logits, "logits"), Shape.Scalar)
    {
        Parameters.Finite(logits, "Categorical", "logits");
        _logProbs = Functional.LogSoftmax(logits, -1);
        Probs = _logProbs.Exp();
    }

    /// <summary>Categorical with p = softmax(logits) along the last axis.</summary>
    public static Categorical FromLogits(Tensor logits) => new(logits, true);

    /// <summary>Normalised class probabilities [..., K].</summary>
    public Tensor Probs { get; }

    /// <summary>K, the number of classes.</summary>
    public int NumClasses => Probs.Shape[-1];

    /// <summary>E[class index] = Σ k·pₖ (meaningful when the classes are ordered).</summary>
    public override Tensor Mean => (Probs * Tensor.Arange(NumClasses)).Sum(-1);

    /// <summary>Var[class index] = Σ k²·pₖ - mean².</summary>
    public override Tensor Variance
    {
        get
        {
            var k = Tensor.Arange(NumClasses);
            var mean = Mean;
            return (Probs * k * k).Sum(-1) - mean * mean;
        }
    }

    /// <summary>log p_value; values must be class indices in [0, K).</summary>
    public override Tensor LogProb(Tensor value)
    {
        Discrete.RequireValues(value, v => Discrete.IsWhole(v) && v < NumClasses, Name, $"class indices in [0, {NumClasses})");
        return Pick(_logProbs ?? Probs, value, log: _logProbs is null);
    }

    /// <summary>Σ_{k ≤ x} pₖ (cumulative sums by a triangular matmul, so differentiable).</summary>
    public override Tensor Cdf(Tensor value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var k = NumClasses;
        var upper = Tensor.Arange(k).Unsqueeze(1).Le(Tensor.Arange(k)); // [j, i] = 1 where j ≤ i
        var cumulative = Probs.MatMul(upper); // [..., K]
        var below = value.Lt(0f);
        var index = Special.Map(value.Clamp(0f, k - 1), Math.Floor); // P(X ≤ 1.5) = P(X ≤ 1)
        var picked = Pick(cumulative, Tensor.Where(below, Tensor.Scalar(0f), index), log: false);
        return Tensor.Where(below, Tensor.Scalar(0f), picked);
    }

    /// <summary>-Σ pₖ log pₖ.</summary>
    public override Tensor Entropy() =>
        _logProbs is null ? -Special.Xlogy(Probs, Probs).Sum(-1) : -(Probs * _logProbs).Sum(-1);

    protected override Tensor Draw(int[] sampleShape, Generator generator)
    {
        var shape = ExtendedShape(sampleShape);
        var k = NumClasses;
        var probs = Probs.Detach().Expand([.. shape, k]).ToArray();
        var result = new float[probs.Length / k];
        for (var i = 0; i < result.Length; i++) result[i] = Inverse(probs.AsSpan(i * k, k), generator.NextDouble());
        return Tensor.FromArray(result, shape);
    }

    /// <summary>The smallest class whose cumulative probability exceeds u (skipping zero-probability classes).</summary>
    internal static int Inverse(ReadOnlySpan<float> probs, double u)
    {
        double total = 0;
        foreach (var p in probs) total += p;
        var target = u * total;
        double cumulative = 0;
        var last = 0;
        for (var c = 0; c < probs.Length; c++)
        {
            if (probs[c] <= 0) continue;
            last = c;
            cumulative += probs[c];
            if (target < cumulative) return c;
        }
        return last; // u·total at the very top of [0, total) after rounding
    }

    /// <summary>table[..., value] with value broadcast against the batch; optionally the log of the picked entry only.</summary>
    private Tensor Pick(Tensor table, Tensor value, bool log)
    {
        var shape = Shape.Broadcast(value.Shape, BatchShape, $"{Name}: value {value.Shape} against batch {BatchShape}").ToArray();
        var index = value.Detach().Expand(shape).Unsqueeze(-1).Contiguous();
        var picked = table.Expand([.. shape, NumClasses]).Gather(-1, index).Squeeze(-1);
        return log ? picked.Log() : picked; // logging after the gather keeps unused zero probabilities out of the gradient
    }

    private static Shape BatchOf(Tensor t, string name)
    {
        ArgumentNullException.ThrowIfNull(t);
        if (t.Rank == 0 || t.Shape[-1] == 0) throw new ArgumentException($"Categorical: {name} must have a class axis last, [..., K] with K ≥ 1; got shape {t.Shape}.");
        return Shape.Wrap(t.Shape.ToArray()[..^1]);
    }
}
