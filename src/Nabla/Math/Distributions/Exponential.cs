namespace Nabla.Mathematics.Distributions;

/// <summary>
/// Exponential(rate λ) on [0, ∞): density λ·exp(-λx). Reparameterised sampling x = -log(1 - u)/λ.
/// </summary>
public sealed class Exponential : ContinuousDistribution
{
    public Exponential(Tensor rate) : base(Parameters.Broadcast("Exponential", rate))
    {
        Parameters.Positive(rate, "Exponential", "rate");
        Rate = rate;
    }

    public Exponential(float rate) : this(Tensor.Scalar(rate))
    {
    }

    public Tensor Rate { get; }

    public override bool HasRSample => true;

    public override Tensor Mean => 1f / Rate;

    public override Tensor Variance => 1f / (Rate * Rate);

    /// <summary>log λ - λx for x ≥ 0, -∞ for x &lt; 0.</summary>
    public override Tensor LogProb(Tensor value)
    {
        var inside = value.Ge(0f);
        var x = Tensor.Where(inside, value, Tensor.Scalar(0f)); // keeps the unused branch finite
        return Tensor.Where(inside, Rate.Log() - Rate * x, Tensor.Scalar(float.NegativeInfinity));
    }

    /// <summary>1 - exp(-λx) for x ≥ 0, 0 below.</summary>
    public override Tensor Cdf(Tensor value) => 1f - (-Rate * value.Clamp(min: 0f)).Exp();

    /// <summary>1 - log λ.</summary>
    public override Tensor Entropy() => 1f - Rate.Log();

    public override Tensor RSample(int[] sampleShape, Generator? generator = null)
    {
        var u = Tensor.Rand(ExtendedShape(sampleShape), generator ?? Generator.Default);
        return -(1f - u).Log() / Rate; // 1 - u ∈ (0, 1]: finite
    }

    protected override Tensor Draw(int[] sampleShape, Generator generator) => RSample(sampleShape, generator);
}
