using MathNetSpecial = MathNet.Numerics.SpecialFunctions;

namespace Nabla.Mathematics.Distributions;

/// <summary>
/// Beta(α, β) on [0, 1]: density x^(α-1)(1 - x)^(β-1)/B(α, β). Sampled as G₁/(G₁ + G₂) with Gᵢ gamma draws.
/// </summary>
public sealed class Beta : ContinuousDistribution
{
    public Beta(Tensor alpha, Tensor beta) : base(Parameters.Broadcast("Beta", alpha, beta))
    {
        Parameters.Positive(alpha, "Beta", "alpha");
        Parameters.Positive(beta, "Beta", "beta");
        Alpha = alpha.Expand(BatchShape.ToArray());
        BetaParameter = beta.Expand(BatchShape.ToArray());
    }

    public Beta(float alpha, float beta) : this(Tensor.Scalar(alpha), Tensor.Scalar(beta))
    {
    }

    /// <summary>α (concentration of 1s).</summary>
    public Tensor Alpha { get; }

    /// <summary>β (concentration of 0s).</summary>
    public Tensor BetaParameter { get; }

    public override Tensor Mean => Alpha / (Alpha + BetaParameter);

    /// <summary>αβ/((α + β)²(α + β + 1)).</summary>
    public override Tensor Variance
    {
        get
        {
            var total = Alpha + BetaParameter;
            return Alpha * BetaParameter / (total * total * (total + 1f));
        }
    }

    /// <summary>(α - 1)log x + (β - 1)log(1 - x) - ln B(α, β) on [0, 1], -∞ outside.</summary>
    public override Tensor LogProb(Tensor value)
    {
        var inside = value.Ge(0f) * value.Le(1f);
        var x = Tensor.Where(inside, value, Tensor.Scalar(0.5f));
        var log = Special.Xlogy(Alpha - 1f, x) + Special.Xlogy(BetaParameter - 1f, 1f - x) - Special.LogBeta(Alpha, BetaParameter);
        return Tensor.Where(inside, log, Tensor.Scalar(float.NegativeInfinity));
    }

    /// <summary>The regularised incomplete beta function I_x(α, β) (not differentiable).</summary>
    public override Tensor Cdf(Tensor value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var shape = Shape.Broadcast(value.Shape, BatchShape, "Beta.Cdf").ToArray();
        var x = Parameters.Values(value, shape);
        var a = Parameters.Values(Alpha, shape);
        var b = Parameters.Values(BetaParameter, shape);
        var result = new float[x.Length];
        for (var i = 0; i < x.Length; i++)
        {
            result[i] = x[i] <= 0 ? 0f : x[i] >= 1 ? 1f : (float)MathNetSpecial.BetaRegularized(a[i], b[i], x[i]);
        }
        return Tensor.FromArray(result, shape);
    }

    /// <summary>ln B(α, β) - (α - 1)ψ(α) - (β - 1)ψ(β) + (α + β - 2)ψ(α + β).</summary>
    public override Tensor Entropy()
    {
        var total = Alpha + BetaParameter;
        return Special.LogBeta(Alpha, BetaParameter) - (Alpha - 1f) * Special.Digamma(Alpha)
            - (BetaParameter - 1f) * Special.Digamma(BetaParameter) + (total - 2f) * Special.Digamma(total);
    }

    protected override Tensor Draw(int[] sampleShape, Generator generator)
    {
        var shape = ExtendedShape(sampleShape);
        var a = Parameters.Values(Alpha, shape);
        var b = Parameters.Values(BetaParameter, shape);
        var result = new float[a.Length];
        for (var i = 0; i < a.Length; i++)
        {
            var ga = Parameters.Gamma(a[i], generator);
            var gb = Parameters.Gamma(b[i], generator);
            result[i] = (float)(ga / (ga + gb));
        }
        return Tensor.FromArray(result, shape);
    }
}
