namespace Nabla.Mathematics.Distributions;

/// <summary>
/// Multinomial(n, p [..., K]): counts x [..., K] of n draws from a categorical p, with
/// P(x) = n!/∏xₖ!·∏pₖ^xₖ. Batch shape [...], event shape [K].
/// </summary>
public sealed class Multinomial : DiscreteDistribution
{
    public Multinomial(int totalCount, Tensor probs) : base(CategoricalBatch(probs), Shape.Wrap([probs.Shape[-1]]))
    {
        if (totalCount < 0) throw new ArgumentException($"Multinomial: totalCount must be ≥ 0; got {totalCount}.");
        Parameters.Require(probs, v => v >= 0 && float.IsFinite(v), "Multinomial", "probs", "non-negative and finite");
        Parameters.Require(probs.Detach().Sum(-1), v => v > 0, "Multinomial", "each row of probs", "a positive total");
        TotalCount = totalCount;
        Probs = probs / probs.Sum(-1, keepDims: true);
    }

    /// <summary>n, the number of draws.</summary>
    public int TotalCount { get; }

    /// <summary>Normalised class probabilities [..., K].</summary>
    public Tensor Probs { get; }

    public override Tensor Mean => Probs * TotalCount;

    public override Tensor Variance => Probs * (1f - Probs) * TotalCount;

    /// <summary>lnΓ(n + 1) - Σ lnΓ(xₖ + 1) + Σ xₖ log pₖ; every row of counts must be whole numbers summing to n.</summary>
    public override Tensor LogProb(Tensor value)
    {
        Discrete.RequireValues(value, Discrete.IsWhole, Name, "whole-number counts");
        if (value.Rank == 0 || value.Shape[-1] != Probs.Shape[-1])
        {
            throw new ArgumentException($"{Name}.LogProb: counts must have {Probs.Shape[-1]} classes on the last axis; got shape {value.Shape}.");
        }
        var totals = value.Sum(-1).ToArray();
        var bad = Array.FindIndex(totals, t => t != TotalCount);
        if (bad >= 0) throw new ArgumentException($"{Name}.LogProb: counts must sum to totalCount = {TotalCount}; row {bad} sums to {totals[bad]}.");
        return (Special.Xlogy(value, Probs) - Special.LogGamma(value + 1f)).Sum(-1) + (float)Special.LogGamma(TotalCount + 1.0);
    }

    /// <summary>Not defined for a vector of counts; each class's count is Binomial(n, pₖ), whose Cdf is available.</summary>
    public override Tensor Cdf(Tensor value) =>
        throw new NotSupportedException($"{Name}: a cumulative distribution function of count vectors is not defined; each count xₖ is Binomial(n, pₖ): use new Binomial(n, probs).Cdf.");

    /// <summary>
    /// -lnΓ(n + 1) - n·Σ pₖ log pₖ + Σₖ E[lnΓ(xₖ + 1)], the expectation over the Binomial(n, pₖ) marginal of each count.
    /// </summary>
    public override Tensor Entropy()
    {
        var n = TotalCount;
        var marginal = new Binomial(Tensor.Scalar(n), Probs);
        var k = Discrete.Support(n + 1, Probs.Rank); // [n + 1, 1, ...]
        var mass = marginal.LogProb(k).Exp(); // [n + 1, ..., K]
        var expectedLogFactorial = (mass * Special.LogGamma(k + 1f)).Sum(0).Sum(-1);
        return expectedLogFactorial - Special.Xlogy(Probs, Probs).Sum(-1) * n - (float)Special.LogGamma(n + 1.0);
    }

    protected override Tensor Draw(int[] sampleShape, Generator generator)
    {
        var shape = ExtendedShape(sampleShape); // [..., K]
        var k = Probs.Shape[-1];
        var probs = Probs.Detach().Expand(shape).ToArray();
        var result = new float[probs.Length];
        for (var row = 0; row < probs.Length / k; row++)
        {
            // Sequential conditional binomials: x₀ ~ Bin(n, p₀), x₁ ~ Bin(n - x₀, p₁/(1 - p₀)), ...
            var left = (long)TotalCount;
            var mass = 1.0;
            for (var c = 0; c < k && left > 0; c++)
            {
                var p = probs[row * k + c];
                var draw = c == k - 1 || mass <= p ? left : (long)Parameters.Binomial(left, Math.Clamp(p / mass, 0, 1), generator);
                result[row * k + c] = draw;
                left -= draw;
                mass -= p;
            }
        }
        return Tensor.FromArray(result, shape);
    }

    private static Shape CategoricalBatch(Tensor probs)
    {
        ArgumentNullException.ThrowIfNull(probs);
        if (probs.Rank == 0 || probs.Shape[-1] == 0) throw new ArgumentException($"Multinomial: probs must have a class axis last, [..., K] with K ≥ 1; got shape {probs.Shape}.");
        return Shape.Wrap(probs.Shape.ToArray()[..^1]);
    }
}
