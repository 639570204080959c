namespace Nabla.Mathematics.Distributions;

/// <summary>
/// A probability distribution whose parameters are tensors, with torch.distributions' shape rules:
/// parameters broadcast to the <see cref="BatchShape"/> (one independent distribution per element),
/// each draw has <see cref="EventShape"/> ([] except for <see cref="Multinomial"/>), and
/// <c>Sample([S...])</c> returns [S..., batch..., event...].
/// <para>
/// <see cref="LogProb"/>, <see cref="Mean"/>, <see cref="Variance"/> and <see cref="Entropy"/> are compositions of
/// Tensor ops, so gradients flow to parameters that require grad (for maximum likelihood by gradient ascent).
/// <see cref="Sample(int[], Generator?)"/> draws without gradient; <see cref="RSample"/> (where
/// <see cref="HasRSample"/>) draws by reparameterisation, so gradients flow from the samples to the parameters.
/// </para>
/// </summary>
public abstract class Distribution
{
    protected Distribution(Shape batchShape, Shape eventShape)
    {
        BatchShape = batchShape;
        EventShape = eventShape;
    }

    /// <summary>Shape of the batch of independent distributions (the broadcast shape of the parameters).</summary>
    public Shape BatchShape { get; }

    /// <summary>Shape of one draw ([] for scalar distributions).</summary>
    public Shape EventShape { get; }

    /// <summary>The distribution's name in messages.</summary>
    public virtual string Name => GetType().Name;

    /// <summary>True when <see cref="RSample"/> is available (location-scale style distributions).</summary>
    public virtual bool HasRSample => false;

    /// <summary>Draws samples of shape [sampleShape..., batch..., event...] (no gradient).</summary>
    public Tensor Sample(int[] sampleShape, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(sampleShape);
        using var _ = Autograd.NoGrad();
        return Draw(sampleShape, generator ?? Generator.Default);
    }

    /// <summary>Draws samples of shape [sampleShape..., batch..., event...] from the default generator.</summary>
    public Tensor Sample(params int[] sampleShape) => Sample(sampleShape, null);

    /// <summary>Reparameterised samples x = g(parameters, noise): differentiable with respect to the parameters.</summary>
    public virtual Tensor RSample(int[] sampleShape, Generator? generator = null) =>
        throw new NotSupportedException($"{Name}: has no reparameterised sampler (RSample); use Sample, or a score-function estimator with LogProb.");

    /// <summary>Log density (continuous) or log mass (discrete) of <paramref name="value"/>, broadcast against the batch: [...value ⊕ batch].</summary>
    public abstract Tensor LogProb(Tensor value);

    /// <summary>P(X ≤ value), broadcast against the batch.</summary>
    public abstract Tensor Cdf(Tensor value);

    /// <summary>E[X]: [batch..., event...].</summary>
    public abstract Tensor Mean { get; }

    /// <summary>Var[X]: [batch..., event...].</summary>
    public abstract Tensor Variance { get; }

    /// <summary>√Var[X].</summary>
    public Tensor Stddev => Variance.Sqrt();

    /// <summary>Differential (continuous) or Shannon (discrete) entropy in nats: [batch...].</summary>
    public abstract Tensor Entropy();

    /// <summary>Draws [sampleShape..., batch..., event...] under NoGrad with a given generator.</summary>
    protected abstract Tensor Draw(int[] sampleShape, Generator generator);

    /// <summary>[sampleShape..., batch..., event...].</summary>
    protected int[] ExtendedShape(int[] sampleShape) => [.. sampleShape, .. BatchShape.AsSpan(), .. EventShape.AsSpan()];

    public override string ToString() => $"{Name}(batch {BatchShape}, event {EventShape})";
}

/// <summary>A distribution with a density: <see cref="Pdf"/> = exp(<see cref="Distribution.LogProb"/>).</summary>
public abstract class ContinuousDistribution(Shape batchShape) : Distribution(batchShape, Shape.Scalar)
{
    /// <summary>Probability density at <paramref name="value"/> (0 outside the support, where LogProb is -∞).</summary>
    public Tensor Pdf(Tensor value) => LogProb(value).Exp();
}

/// <summary>A distribution on whole numbers: <see cref="Pmf"/> = exp(<see cref="Distribution.LogProb"/>).</summary>
public abstract class DiscreteDistribution(Shape batchShape, Shape eventShape) : Distribution(batchShape, eventShape)
{
    /// <summary>Probability mass of <paramref name="value"/>.</summary>
    public Tensor Pmf(Tensor value) => LogProb(value).Exp();
}
