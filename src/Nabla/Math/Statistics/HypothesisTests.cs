using MathNetSpecial = MathNet.Numerics.SpecialFunctions;

namespace Nabla.Mathematics;

/// <summary>
/// Classical hypothesis tests with p-values: t-tests (one-sample, Welch, pooled, paired), chi-square
/// goodness-of-fit and independence, and McNemar's test for paired binary outcomes (e.g. two classifiers
/// on one test set). Tail probabilities come from regularised incomplete beta and gamma functions, so
/// tiny p-values keep their relative precision.
/// </summary>
public static class HypothesisTests
{
    /// <summary>t = (x̄ - μ₀)/(s/√n) with n - 1 degrees of freedom: is the mean of x equal to μ₀?</summary>
    public static TestResult OneSampleT(ReadOnlySpan<double> x, double mean0 = 0, Alternative alternative = Alternative.TwoSided)
    {
        Statistics.RequireCount(x, 2, "OneSampleT");
        var se = Math.Sqrt(Statistics.Variance(x) / x.Length);
        RequireSpread(se, "OneSampleT", "the sample is constant");
        var t = (Statistics.Mean(x) - mean0) / se;
        return TTest("One-sample t-test", t, x.Length - 1, alternative);
    }

    /// <summary>
    /// Welch's t-test for means of two independent samples without assuming equal variances:
    /// t = (x̄ - ȳ)/√(sx²/nx + sy²/ny), df by the Welch–Satterthwaite equation.
    /// </summary>
    public static TestResult WelchT(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Alternative alternative = Alternative.TwoSided)
    {
        Statistics.RequireCount(x, 2, "WelchT (x)");
        Statistics.RequireCount(y, 2, "WelchT (y)");
        var vx = Statistics.Variance(x) / x.Length;
        var vy = Statistics.Variance(y) / y.Length;
        RequireSpread(vx + vy, "WelchT", "both samples are constant");
        var t = (Statistics.Mean(x) - Statistics.Mean(y)) / Math.Sqrt(vx + vy);
        var df = (vx + vy) * (vx + vy) / (vx * vx / (x.Length - 1) + vy * vy / (y.Length - 1));
        return TTest("Welch two-sample t-test", t, df, alternative);
    }

    /// <summary>Student's two-sample t-test with pooled variance (assumes equal variances), nx + ny - 2 degrees of freedom.</summary>
    public static TestResult StudentT(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Alternative alternative = Alternative.TwoSided)
    {
        Statistics.RequireCount(x, 2, "StudentT (x)");
        Statistics.RequireCount(y, 2, "StudentT (y)");
        var df = x.Length + y.Length - 2;
        var pooled = ((x.Length - 1) * Statistics.Variance(x) + (y.Length - 1) * Statistics.Variance(y)) / df;
        var se = Math.Sqrt(pooled * (1.0 / x.Length + 1.0 / y.Length));
        RequireSpread(se, "StudentT", "both samples are constant");
        return TTest("Student two-sample t-test", (Statistics.Mean(x) - Statistics.Mean(y)) / se, df, alternative);
    }

    /// <summary>Paired t-test: a one-sample t-test of the differences xᵢ - yᵢ against 0.</summary>
    public static TestResult PairedT(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Alternative alternative = Alternative.TwoSided)
    {
        Statistics.RequirePaired(x, y, "PairedT");
        var d = new double[x.Length];
        for (var i = 0; i < d.Length; i++) d[i] = x[i] - y[i];
        return OneSampleT(d, 0, alternative) with { Test = "Paired t-test" };
    }

    /// <summary>
    /// Pearson's chi-square goodness-of-fit: χ² = Σ(O - E)²/E with k - 1 - <paramref name="estimatedParameters"/> degrees of freedom.
    /// <paramref name="expected"/> holds expected counts or probabilities (rescaled to the observed total); omitted means uniform.
    /// </summary>
    public static TestResult ChiSquareGoodnessOfFit(ReadOnlySpan<double> observed, ReadOnlySpan<double> expected = default, int estimatedParameters = 0)
    {
        var k = observed.Length;
        if (k < 2) throw new ArgumentException($"ChiSquareGoodnessOfFit: needs at least 2 categories; got {k}.");
        if (!expected.IsEmpty && expected.Length != k) throw new ArgumentException($"ChiSquareGoodnessOfFit: {k} observed counts but {expected.Length} expected values.");
        var total = 0.0;
        foreach (var o in observed) total += o >= 0 ? o : throw new ArgumentException($"ChiSquareGoodnessOfFit: counts must be non-negative; got {o}.");
        var expectedTotal = expected.IsEmpty ? k : 0.0;
        foreach (var e in expected) expectedTotal += e > 0 ? e : throw new ArgumentException($"ChiSquareGoodnessOfFit: expected values must be positive; got {e}.");
        var chi2 = 0.0;
        for (var i = 0; i < k; i++)
        {
            var e = (expected.IsEmpty ? 1 : expected[i]) / expectedTotal * total;
            chi2 += (observed[i] - e) * (observed[i] - e) / e;
        }
        var df = k - 1 - estimatedParameters;
        if (df < 1) throw new ArgumentException($"ChiSquareGoodnessOfFit: {k} categories less 1 less {estimatedParameters} estimated parameters leaves no degrees of freedom.");
        return new TestResult("Chi-square goodness-of-fit test", chi2, ChiSquareSurvival(chi2, df), df);
    }

    /// <summary>
    /// Pearson's chi-square test of independence for an r×c contingency table of counts: expected Eᵢⱼ = rowᵢ·colⱼ/N,
    /// χ² = Σ(O - E)²/E with (r - 1)(c - 1) degrees of freedom. <paramref name="continuityCorrection"/> applies Yates's
    /// correction (|O - E| - ½)² to 2×2 tables.
    /// </summary>
    public static TestResult ChiSquareIndependence(double[,] table, bool continuityCorrection = false)
    {
        var expected = ExpectedCounts(table);
        int rows = table.GetLength(0), cols = table.GetLength(1);
        var yates = continuityCorrection && rows == 2 && cols == 2;
        var chi2 = 0.0;
        for (var i = 0; i < rows; i++)
        {
            for (var j = 0; j < cols; j++)
            {
                var diff = Math.Abs(table[i, j] - expected[i, j]);
                if (yates) diff = Math.Max(0, diff - 0.5);
                chi2 += diff * diff / expected[i, j];
            }
        }
        var df = (rows - 1) * (cols - 1);
        return new TestResult(yates ? "Chi-square independence test (Yates)" : "Chi-square independence test", chi2, ChiSquareSurvival(chi2, df), df);
    }

    /// <summary>Expected counts rowᵢ·colⱼ/N of a contingency table under independence; throws for an empty row or column.</summary>
    public static double[,] ExpectedCounts(double[,] table)
    {
        ArgumentNullException.ThrowIfNull(table);
        int rows = table.GetLength(0), cols = table.GetLength(1);
        if (rows < 2 || cols < 2) throw new ArgumentException($"ChiSquareIndependence: needs at least a 2x2 table; got {rows}x{cols}.");
        var rowSums = new double[rows];
        var colSums = new double[cols];
        for (var i = 0; i < rows; i++)
        {
            for (var j = 0; j < cols; j++)
            {
                var v = table[i, j];
                if (!(v >= 0)) throw new ArgumentException($"ChiSquareIndependence: counts must be non-negative; cell [{i}, {j}] is {v}.");
                rowSums[i] += v;
                colSums[j] += v;
            }
        }
        var n = rowSums.Sum();
        var empty = Array.IndexOf(rowSums, 0.0);
        if (empty >= 0) throw new ArgumentException($"ChiSquareIndependence: row {empty} is all zeros, so its expected counts are 0; drop it.");
        empty = Array.IndexOf(colSums, 0.0);
        if (empty >= 0) throw new ArgumentException($"ChiSquareIndependence: column {empty} is all zeros, so its expected counts are 0; drop it.");
        var expected = new double[rows, cols];
        for (var i = 0; i < rows; i++)
        {
            for (var j = 0; j < cols; j++) expected[i, j] = rowSums[i] * colSums[j] / n;
        }
        return expected;
    }

    /// <summary>
    /// McNemar's test for paired binary outcomes from the discordant counts b (first right, second wrong) and
    /// c (first wrong, second right): χ² = (|b - c| - 1)²/(b + c) with the continuity correction, (b - c)²/(b + c)
    /// without, one degree of freedom. With no discordant pairs there is no evidence of a difference (χ² = 0, p = 1).
    /// </summary>
    public static TestResult McNemar(int b, int c, bool continuityCorrection = true)
    {
        RequireCounts(b, c);
        if (b + c == 0) return new TestResult("McNemar test", 0, 1, 1);
        var diff = Math.Abs(b - c);
        var numerator = continuityCorrection ? Math.Max(0, diff - 1.0) : diff;
        var chi2 = numerator * numerator / (b + c);
        return new TestResult(continuityCorrection ? "McNemar test (continuity corrected)" : "McNemar test", chi2, ChiSquareSurvival(chi2, 1), 1);
    }

    /// <summary>
    /// Exact McNemar test: under the null each discordant pair is equally likely either way, so min(b, c) ~ Binomial(b + c, ½);
    /// two-sided p = min(1, 2·P(X ≤ min(b, c))). Preferred when b + c is small (below about 25).
    /// </summary>
    public static TestResult McNemarExact(int b, int c)
    {
        RequireCounts(b, c);
        var n = b + c;
        var k = Math.Min(b, c);
        var lowerTail = k >= n ? 1.0 : MathNetSpecial.BetaRegularized(n - k, k + 1, 0.5); // P(X ≤ k) = I_½(n - k, k + 1)
        return new TestResult("McNemar exact test", k, Math.Min(1.0, 2 * lowerTail), double.NaN);
    }

    /// <summary>P(χ²_df ≥ x) = Q(df/2, x/2), the regularised upper incomplete gamma function.</summary>
    public static double ChiSquareSurvival(double x, double df) => x <= 0 ? 1.0 : MathNetSpecial.GammaUpperRegularized(df / 2, x / 2);

    /// <summary>P(|T_df| ≥ |t|) = I_{df/(df + t²)}(df/2, ½), the two-sided Student t tail.</summary>
    public static double StudentTTwoSided(double t, double df) => MathNetSpecial.BetaRegularized(df / 2, 0.5, df / (df + t * t));

    private static TestResult TTest(string name, double t, double df, Alternative alternative)
    {
        var twoSided = StudentTTwoSided(t, df);
        var p = alternative switch
        {
            Alternative.TwoSided => twoSided,
            Alternative.Greater => t > 0 ? twoSided / 2 : 1 - twoSided / 2,
            Alternative.Less => t < 0 ? twoSided / 2 : 1 - twoSided / 2,
            _ => throw new ArgumentException($"{name}: unknown alternative {alternative}."),
        };
        return new TestResult(name, t, p, df);
    }

    private static void RequireSpread(double se, string op, string why)
    {
        if (!(se > 0)) throw new ArgumentException($"{op}: {why}, so the standard error is 0 and t is undefined.");
    }

    private static void RequireCounts(int b, int c)
    {
        if (b < 0 || c < 0) throw new ArgumentException($"McNemar: discordant counts must be non-negative; got b = {b}, c = {c}.");
    }
}
