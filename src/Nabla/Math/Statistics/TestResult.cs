using System.Globalization;

namespace Nabla.Mathematics;

/// <summary>Which deviation from the null hypothesis a test looks for.</summary>
public enum Alternative
{
    /// <summary>The parameter differs from the null value in either direction.</summary>
    TwoSided,

    /// <summary>The parameter is below the null value (e.g. mean(x) &lt; μ₀, or mean(x) &lt; mean(y)).</summary>
    Less,

    /// <summary>The parameter is above the null value.</summary>
    Greater,
}

/// <summary>Outcome of a hypothesis test.</summary>
/// <param name="Test">The test's name, e.g. "Welch two-sample t-test".</param>
/// <param name="Statistic">The test statistic (t, χ², or the smaller discordant count for exact McNemar).</param>
/// <param name="PValue">Probability, under the null hypothesis, of a statistic at least as extreme.</param>
/// <param name="DegreesOfFreedom">Degrees of freedom of the reference distribution (NaN for exact tests).</param>
public sealed record TestResult(string Test, double Statistic, double PValue, double DegreesOfFreedom)
{
    /// <summary>True when the null hypothesis is rejected at level <paramref name="alpha"/> (p &lt; α).</summary>
    public bool IsSignificant(double alpha = 0.05) => PValue < alpha;

    public override string ToString()
    {
        var df = double.IsNaN(DegreesOfFreedom) ? "" : string.Create(CultureInfo.InvariantCulture, $", df = {DegreesOfFreedom:G4}");
        return string.Create(CultureInfo.InvariantCulture, $"{Test}: statistic = {Statistic:G4}{df}, p = {PValue:G3}");
    }
}

/// <summary>A confidence interval around a point estimate.</summary>
/// <param name="Estimate">The point estimate (sample mean, observed proportion, statistic of the data).</param>
/// <param name="Lower">Lower bound.</param>
/// <param name="Upper">Upper bound.</param>
/// <param name="Level">Confidence level, e.g. 0.95.</param>
public readonly record struct Interval(double Estimate, double Lower, double Upper, double Level)
{
    public double Width => Upper - Lower;

    public bool Contains(double value) => value >= Lower && value <= Upper;

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Estimate:G4} [{Lower:G4}, {Upper:G4}] ({Level:P0})");
}
