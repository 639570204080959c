namespace Nabla.Mathematics.Distributions;

/// <summary>
/// Uniform(low a, high b): density 1/(b - a) on [a, b] (closed, so the maximum-likelihood fit [min, max] covers
/// its data), 0 outside (LogProb -∞ there). Reparameterised sampling x = a + (b - a)·u with u ~ U[0, 1).
/// </summary>
public sealed class Uniform : ContinuousDistribution
{
    public Uniform(Tensor low, Tensor high) : base(Parameters.Broadcast("Uniform", low, high))
    {
        Parameters.Finite(low, "Uniform", "low");
        Parameters.Finite(high, "Uniform", "high");
        Parameters.Positive((high - low).Detach(), "Uniform", "high - low");
        Low = low.Expand(BatchShape.ToArray());
        High = high.Expand(BatchShape.ToArray());
    }

    public Uniform(float low, float high) : this(Tensor.Scalar(low), Tensor.Scalar(high))
    {
    }

    public Tensor Low { get; }

    public Tensor High { get; }

    public override bool HasRSample => true;

    public override Tensor Mean => (Low + High) * 0.5f;

    public override Tensor Variance => (High - Low) * (High - Low) / 12f;

    /// <summary>-log(b - a) for a ≤ x ≤ b, -∞ elsewhere.</summary>
    public override Tensor LogProb(Tensor value)
    {
        var inside = value.Ge(Low) * value.Le(High);
        return Tensor.Where(inside, -(High - Low).Log(), Tensor.Scalar(float.NegativeInfinity));
    }

    /// <summary>clamp((x - a)/(b - a), 0, 1).</summary>
    public override Tensor Cdf(Tensor value) => ((value - Low) / (High - Low)).Clamp(0f, 1f);

    /// <summary>log(b - a).</summary>
    public override Tensor Entropy() => (High - Low).Log();

    public override Tensor RSample(int[] sampleShape, Generator? generator = null) =>
        Low + (High - Low) * Tensor.Rand(ExtendedShape(sampleShape), generator ?? Generator.Default);

    protected override Tensor Draw(int[] sampleShape, Generator generator) => RSample(sampleShape, generator);
}
