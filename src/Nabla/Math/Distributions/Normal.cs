namespace Nabla.Mathematics.Distributions;

/// <summary>
/// Normal(loc μ, scale σ): density exp(-(x - μ)²/(2σ²))/(σ√(2π)); batch shape = broadcast(loc, scale).
/// Reparameterised sampling x = μ + σ·ε with ε ~ N(0, 1).
/// </summary>
public sealed class Normal : ContinuousDistribution
{
    private static readonly float HalfLog2Pi = 0.5f * MathF.Log(2 * MathF.PI);

    public Normal(Tensor loc, Tensor scale) : base(Parameters.Broadcast("Normal", loc, scale))
    {
        Parameters.Finite(loc, "Normal", "loc");
        Parameters.Positive(scale, "Normal", "scale");
        Loc = loc.Expand(BatchShape.ToArray());
        Scale = scale.Expand(BatchShape.ToArray());
    }

    public Normal(float loc, float scale) : this(Tensor.Scalar(loc), Tensor.Scalar(scale))
    {
    }

    /// <summary>μ, broadcast to the batch shape (a view: gradients reach the tensor passed in).</summary>
    public Tensor Loc { get; }

    /// <summary>σ, broadcast to the batch shape.</summary>
    public Tensor Scale { get; }

    public override bool HasRSample => true;

    public override Tensor Mean => Loc;

    public override Tensor Variance => Scale * Scale;

    /// <summary>log p(x) = -(x - μ)²/(2σ²) - log σ - ½log 2π.</summary>
    public override Tensor LogProb(Tensor value)
    {
        var z = (value - Loc) / Scale;
        return z * z * -0.5f - Scale.Log() - HalfLog2Pi;
    }

    /// <summary>Φ((x - μ)/σ) = ½(1 + erf((x - μ)/(σ√2))).</summary>
    public override Tensor Cdf(Tensor value) => (((value - Loc) / (Scale * MathF.Sqrt(2f))).Erf() + 1f) * 0.5f;

    /// <summary>½ + ½log 2π + log σ.</summary>
    public override Tensor Entropy() => Scale.Log() + (0.5f + HalfLog2Pi);

    public override Tensor RSample(int[] sampleShape, Generator? generator = null) =>
        Loc + Scale * Tensor.Randn(ExtendedShape(sampleShape), generator ?? Generator.Default);

    protected override Tensor Draw(int[] sampleShape, Generator generator) => RSample(sampleShape, generator);
}
