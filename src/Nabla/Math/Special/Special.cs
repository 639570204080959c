using MathNetSpecial = MathNet.Numerics.SpecialFunctions;

namespace Nabla.Mathematics;

/// <summary>
/// Special functions on doubles and, elementwise, on tensors (computed in double, rounded to float32):
/// log-gamma, digamma, trigamma, log-beta and xlogy. The tensor forms of <see cref="LogGamma(Tensor)"/>
/// and <see cref="Digamma(Tensor)"/> are differentiable (d lnΓ = ψ, dψ = ψ₁), which is what the Beta and
/// Binomial log-probabilities need.
/// </summary>
public static class Special
{
    /// <summary>ln|Γ(x)|; +∞ at the poles x = 0, -1, -2, ... (reflection ln π - ln|sin πx| - lnΓ(1 - x) below 1/2).</summary>
    public static double LogGamma(double x)
    {
        if (x >= 0.5) return MathNetSpecial.GammaLn(x);
        if (x == Math.Floor(x)) return double.PositiveInfinity;
        return Math.Log(Math.PI) - Math.Log(Math.Abs(Math.Sin(Math.PI * x))) - MathNetSpecial.GammaLn(1 - x);
    }

    /// <summary>ψ(x) = d lnΓ(x)/dx; NaN at the poles x = 0, -1, -2, ... where it is undefined.</summary>
    public static double Digamma(double x)
    {
        if (x <= 0 && x == Math.Floor(x)) return double.NaN;
        if (x < 0.5) return Digamma(1 - x) - Math.PI / Math.Tan(Math.PI * x); // reflection
        return MathNetSpecial.DiGamma(x);
    }

    /// <summary>
    /// ψ₁(x) = d²lnΓ(x)/dx² = Σₖ 1/(x + k)²: shifted up by ψ₁(x) = ψ₁(x + 1) + 1/x² until x ≥ 10, then the
    /// asymptotic series 1/x + 1/(2x²) + Σ B₂ₖ/x^(2k+1); reflection ψ₁(1 - x) + ψ₁(x) = π²/sin²(πx) below 1/2.
    /// </summary>
    public static double Trigamma(double x)
    {
        if (x <= 0 && x == Math.Floor(x)) return double.PositiveInfinity;
        if (x < 0.5)
        {
            var s = Math.Sin(Math.PI * x);
            return Math.PI * Math.PI / (s * s) - Trigamma(1 - x);
        }
        var shift = 0.0;
        for (; x < 10; x++) shift += 1 / (x * x);
        var r = 1 / (x * x);
        // Bernoulli numbers B₂ = 1/6, B₄ = -1/30, B₆ = 1/42, B₈ = -1/30, B₁₀ = 5/66, B₁₂ = -691/2730.
        var series = 1 / x + r / 2 + r / x * (1.0 / 6 + r * (-1.0 / 30 + r * (1.0 / 42 + r * (-1.0 / 30 + r * (5.0 / 66 - r * 691.0 / 2730)))));
        return shift + series;
    }

    /// <summary>ln B(a, b) = lnΓ(a) + lnΓ(b) - lnΓ(a + b).</summary>
    public static double LogBeta(double a, double b) => LogGamma(a) + LogGamma(b) - LogGamma(a + b);

    /// <summary>ln|Γ(x)| elementwise · differentiable: dx = dy·ψ(x).</summary>
    public static Tensor LogGamma(Tensor x) => LogGammaNode.Apply(x);

    /// <summary>ψ(x) elementwise · differentiable: dx = dy·ψ₁(x).</summary>
    public static Tensor Digamma(Tensor x) => DigammaNode.Apply(x);

    /// <summary>ψ₁(x) elementwise (not differentiable: the result does not require grad).</summary>
    public static Tensor Trigamma(Tensor x) => Map(x, Trigamma);

    /// <summary>ln B(a, b) = lnΓ(a) + lnΓ(b) - lnΓ(a + b), broadcast · differentiable.</summary>
    public static Tensor LogBeta(Tensor a, Tensor b) => LogGamma(a) + LogGamma(b) - LogGamma(a + b);

    /// <summary>
    /// x·ln y with 0·ln 0 taken as 0 (the limit used in entropies and likelihoods), broadcast · differentiable.
    /// Where x = y = 0 the log is never evaluated, so no NaN gradient leaks from the unused branch.
    /// </summary>
    public static Tensor Xlogy(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        var bothZero = x.Eq(0f) * y.Eq(0f);
        var safeY = Tensor.Where(bothZero, Tensor.Scalar(1f), y);
        return x * safeY.Log();
    }

    /// <summary>f applied elementwise in double precision: a new tensor that does not require grad.</summary>
    internal static Tensor Map(Tensor x, Func<double, double> f)
    {
        ArgumentNullException.ThrowIfNull(x);
        var values = x.ToArray();
        var result = new float[values.Length];
        for (var i = 0; i < values.Length; i++) result[i] = (float)f(values[i]);
        return Tensor.FromArray(result, x.Shape.ToArray());
    }
}

/// <summary>y = ln|Γ(x)| · backward: dx = dy·ψ(x) (through <see cref="Special.Digamma(Tensor)"/>, so differentiable again).</summary>
internal sealed class LogGammaNode : Node
{
    private SavedTensor? _x;

    public override string Name => "Special.LogGamma";

    public static Tensor Apply(Tensor x)
    {
        var y = Special.Map(x, Special.LogGamma);
        return Graph.Needs(x) ? Graph.Attach(y, new LogGammaNode { _x = new(x) }, x) : y;
    }

    internal override Tensor?[] Backward(Tensor dy) => [dy * Special.Digamma(_x!.Get(this))];

    protected override void ReleaseSaved() => _x?.Release();
}

/// <summary>y = ψ(x) · backward: dx = dy·ψ₁(x).</summary>
internal sealed class DigammaNode : Node
{
    private SavedTensor? _x;

    public override string Name => "Special.Digamma";

    public static Tensor Apply(Tensor x)
    {
        var y = Special.Map(x, Special.Digamma);
        return Graph.Needs(x) ? Graph.Attach(y, new DigammaNode { _x = new(x) }, x) : y;
    }

    internal override Tensor?[] Backward(Tensor dy) => [dy * Special.Trigamma(_x!.Get(this))];

    protected override void ReleaseSaved() => _x?.Release();
}
