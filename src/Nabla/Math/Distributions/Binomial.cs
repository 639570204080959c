namespace Nabla.Mathematics.Distributions;

/// <summary>
/// Binomial(n, p): number of successes in n independent trials, P(k) = C(n, k)·pᵏ(1 - p)ⁿ⁻ᵏ for k = 0..n.
/// n (totalCount) is a whole-number tensor and broadcasts with p.
/// </summary>
public sealed class Binomial : DiscreteDistribution
{
    public Binomial(Tensor totalCount, Tensor probs) : base(Parameters.Broadcast("Binomial", totalCount, probs), Shape.Scalar)
    {
        Parameters.WholeNumber(totalCount, "Binomial", "totalCount");
        Parameters.Probability(probs, "Binomial", "probs");
        TotalCount = totalCount.Detach().Expand(BatchShape.ToArray());
        Probs = probs.Expand(BatchShape.ToArray());
    }

    public Binomial(int totalCount, Tensor probs) : this(Tensor.Scalar(totalCount), probs)
    {
    }

    public Binomial(int totalCount, float probs) : this(Tensor.Scalar(totalCount), Tensor.Scalar(probs))
    {
    }

    /// <summary>n, the number of trials (not differentiable).</summary>
    public Tensor TotalCount { get; }

    /// <summary>p, the success probability of each trial.</summary>
    public Tensor Probs { get; }

    public override Tensor Mean => TotalCount * Probs;

    public override Tensor Variance => TotalCount * Probs * (1f - Probs);

    /// <summary>lnΓ(n + 1) - lnΓ(k + 1) - lnΓ(n - k + 1) + k log p + (n - k) log(1 - p); values must be whole numbers in [0, n].</summary>
    public override Tensor LogProb(Tensor value)
    {
        Discrete.RequireValues(value, Discrete.IsWhole, Name, "whole numbers ≥ 0");
        var n = TotalCount;
        var exceeds = value.Gt(n).Sum().Item();
        if (exceeds > 0) throw new ArgumentException($"{Name}.LogProb: {exceeds} value(s) exceed the number of trials n; values must lie in [0, n].");
        return Unchecked(value);
    }

    /// <summary>Σ_{k ≤ x} P(k), summed over the whole support so it stays differentiable in p.</summary>
    public override Tensor Cdf(Tensor value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var shape = Shape.Broadcast(value.Shape, BatchShape, "Binomial.Cdf");
        var k = Discrete.Support(MaxCount() + 1, shape.Rank); // [K, 1, ...]
        var mass = Unchecked(Tensor.Minimum(k, TotalCount)).Exp() * k.Le(TotalCount); // [K, shape...]
        return (mass * k.Le(value)).Sum(0).Expand(shape.ToArray());
    }

    /// <summary>-Σₖ P(k) log P(k) over k = 0..n (no closed form).</summary>
    public override Tensor Entropy()
    {
        var k = Discrete.Support(MaxCount() + 1, BatchShape.Rank);
        var valid = k.Le(TotalCount);
        var mass = Unchecked(Tensor.Minimum(k, TotalCount)).Exp() * valid;
        return -Special.Xlogy(mass, mass).Sum(0);
    }

    protected override Tensor Draw(int[] sampleShape, Generator generator)
    {
        var shape = ExtendedShape(sampleShape);
        var n = Parameters.Values(TotalCount, shape);
        var p = Parameters.Values(Probs, shape);
        var result = new float[n.Length];
        for (var i = 0; i < n.Length; i++) result[i] = (float)Parameters.Binomial((long)n[i], p[i], generator);
        return Tensor.FromArray(result, shape);
    }

    private Tensor Unchecked(Tensor k)
    {
        var n = TotalCount;
        return Special.LogGamma(n + 1f) - Special.LogGamma(k + 1f) - Special.LogGamma(n - k + 1f)
            + Special.Xlogy(k, Probs) + Special.Xlogy(n - k, 1f - Probs);
    }

    private int MaxCount() => TotalCount.Count == 0 ? 0 : (int)TotalCount.Max().Item();
}
