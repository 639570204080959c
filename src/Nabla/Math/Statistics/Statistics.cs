namespace Nabla.Mathematics;

/// <summary>
/// Descriptive statistics on samples (double spans, computed in double) and on tensors of observations
/// (rows are observations, columns variables; differentiable where they compose Tensor ops).
/// "Unbiased" (sample) estimates divide by n - 1 (Bessel), population ones by n.
/// </summary>
public static class Statistics
{
    /// <summary>x̄ = Σx/n.</summary>
    public static double Mean(ReadOnlySpan<double> values)
    {
        RequireCount(values, 1, "Mean");
        var sum = 0.0;
        foreach (var v in values) sum += v;
        return sum / values.Length;
    }

    /// <summary>Σ(x - x̄)²/(n - 1) when <paramref name="unbiased"/> (sample), else /n (population). Two-pass for accuracy.</summary>
    public static double Variance(ReadOnlySpan<double> values, bool unbiased = true)
    {
        RequireCount(values, unbiased ? 2 : 1, unbiased ? "Variance (sample)" : "Variance");
        var mean = Mean(values);
        var sum = 0.0;
        foreach (var v in values) sum += (v - mean) * (v - mean);
        return sum / (unbiased ? values.Length - 1 : values.Length);
    }

    /// <summary>√<see cref="Variance"/>.</summary>
    public static double StandardDeviation(ReadOnlySpan<double> values, bool unbiased = true) => Math.Sqrt(Variance(values, unbiased));

    /// <summary>Σ(x - x̄)(y - ȳ)/(n - 1) (or /n) for paired samples of equal length.</summary>
    public static double Covariance(ReadOnlySpan<double> x, ReadOnlySpan<double> y, bool unbiased = true)
    {
        RequirePaired(x, y, "Covariance");
        RequireCount(x, unbiased ? 2 : 1, "Covariance");
        var (mx, my) = (Mean(x), Mean(y));
        var sum = 0.0;
        for (var i = 0; i < x.Length; i++) sum += (x[i] - mx) * (y[i] - my);
        return sum / (unbiased ? x.Length - 1 : x.Length);
    }

    /// <summary>Pearson's r = cov(x, y)/(σx·σy); throws when either sample is constant (r undefined).</summary>
    public static double Correlation(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        var (vx, vy) = (Variance(x), Variance(y));
        if (vx == 0 || vy == 0) throw new ArgumentException("Correlation: one of the samples is constant, so the correlation is undefined.");
        return Covariance(x, y) / Math.Sqrt(vx * vy);
    }

    /// <summary>
    /// The q-quantile (0 ≤ q ≤ 1) by linear interpolation between order statistics, NumPy's default
    /// (Hyndman and Fan's type 7): position h = (n - 1)·q, value x₍⌊h⌋₎ + (h - ⌊h⌋)(x₍⌊h⌋+1₎ - x₍⌊h⌋₎).
    /// </summary>
    public static double Quantile(ReadOnlySpan<double> values, double q)
    {
        RequireCount(values, 1, "Quantile");
        if (!(q >= 0 && q <= 1)) throw new ArgumentException($"Quantile: q must lie in [0, 1]; got {q}.");
        var sorted = values.ToArray();
        foreach (var v in sorted)
        {
            if (double.IsNaN(v)) throw new ArgumentException("Quantile: the sample contains NaN.");
        }
        Array.Sort(sorted);
        return Interpolate(sorted, q);
    }

    /// <summary>Several quantiles of one sample (sorted once).</summary>
    public static double[] Quantiles(ReadOnlySpan<double> values, params double[] qs)
    {
        ArgumentNullException.ThrowIfNull(qs);
        RequireCount(values, 1, "Quantiles");
        var sorted = values.ToArray();
        Array.Sort(sorted);
        return qs.Select(q => q is >= 0 and <= 1 ? Interpolate(sorted, q) : throw new ArgumentException($"Quantiles: q must lie in [0, 1]; got {q}.")).ToArray();
    }

    /// <summary>The 0.5-quantile.</summary>
    public static double Median(ReadOnlySpan<double> values) => Quantile(values, 0.5);

    /// <summary>
    /// Covariance matrix of observations x [N, D] (rows observations) -> [D, D]:
    /// (x - x̄)ᵀ(x - x̄)/(N - 1), or /N for the population form. Differentiable.
    /// </summary>
    public static Tensor CovarianceMatrix(Tensor x, bool unbiased = true)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank != 2) throw new ArgumentException($"CovarianceMatrix: expected observations [N, D] (rows are observations); got shape {x.Shape}.");
        var n = x.Shape[0];
        if (n < (unbiased ? 2 : 1)) throw new ArgumentException($"CovarianceMatrix: needs at least {(unbiased ? 2 : 1)} observations; got {n}.");
        var centred = x - x.Mean(0, keepDims: true); // [N, D]
        return centred.T.MatMul(centred) / (unbiased ? n - 1 : n); // [D, D]
    }

    /// <summary>Pearson correlation matrix of observations x [N, D] -> [D, D]; throws for a constant column. Differentiable.</summary>
    public static Tensor CorrelationMatrix(Tensor x)
    {
        var cov = CovarianceMatrix(x);
        var variances = (cov * Tensor.Eye(cov.Shape[0])).Sum(1); // [D]
        var constant = Array.FindIndex(variances.ToArray(), v => v == 0f);
        if (constant >= 0) throw new ArgumentException($"CorrelationMatrix: column {constant} of {x.Shape} is constant, so its correlations are undefined.");
        var std = variances.Sqrt();
        return cov / (std.Unsqueeze(1) * std.Unsqueeze(0));
    }

    /// <summary>The q-quantile along <paramref name="axis"/> (linear interpolation, NumPy's default); not differentiable.</summary>
    public static Tensor Quantile(Tensor x, double q, int axis = -1, bool keepDims = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank == 0) throw new ArgumentException("Quantile: needs at least one axis; got a scalar.");
        if (!(q >= 0 && q <= 1)) throw new ArgumentException($"Quantile: q must lie in [0, 1]; got {q}.");
        var a = axis < 0 ? axis + x.Rank : axis;
        if (a < 0 || a >= x.Rank) throw new ArgumentException($"Quantile: axis {axis} is out of range for shape {x.Shape}.");
        var n = x.Shape[a];
        if (n == 0) throw new ArgumentException($"Quantile: axis {axis} of shape {x.Shape} is empty.");
        var order = Enumerable.Range(0, x.Rank).Where(d => d != a).Append(a).ToArray();
        var moved = x.Detach().Permute(order); // [rest..., n]
        var values = moved.ToArray();
        var result = new float[values.Length / n];
        var row = new double[n];
        for (var r = 0; r < result.Length; r++)
        {
            for (var i = 0; i < n; i++) row[i] = values[r * n + i];
            Array.Sort(row);
            result[r] = (float)Interpolate(row, q);
        }
        var kept = moved.Shape.ToArray()[..^1];
        var t = Tensor.FromArray(result, kept);
        return keepDims ? t.Unsqueeze(a) : t;
    }

    private static double Interpolate(double[] sorted, double q)
    {
        var h = (sorted.Length - 1) * q;
        var lo = (int)Math.Floor(h);
        var hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    internal static void RequireCount(ReadOnlySpan<double> values, int minimum, string op)
    {
        if (values.Length < minimum) throw new ArgumentException($"{op}: needs at least {minimum} value(s); got {values.Length}.");
    }

    internal static void RequirePaired(ReadOnlySpan<double> x, ReadOnlySpan<double> y, string op)
    {
        if (x.Length != y.Length) throw new ArgumentException($"{op}: paired samples must have equal lengths; got {x.Length} and {y.Length}.");
    }
}
