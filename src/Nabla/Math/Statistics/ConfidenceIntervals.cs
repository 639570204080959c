using MathNet.Numerics.Distributions;

namespace Nabla.Mathematics;

/// <summary>Confidence intervals: t-based for a mean, Wilson score for a proportion (such as accuracy), bootstrap percentile for any statistic.</summary>
public static class ConfidenceIntervals
{
    /// <summary>x̄ ± t_{(1+level)/2, n-1}·s/√n, exact for normal data and good for means of moderate samples.</summary>
    public static Interval Mean(ReadOnlySpan<double> values, double level = 0.95)
    {
        RequireLevel(level);
        Statistics.RequireCount(values, 2, "ConfidenceIntervals.Mean");
        var mean = Statistics.Mean(values);
        var half = StudentT.InvCDF(0, 1, values.Length - 1, (1 + level) / 2) * Statistics.StandardDeviation(values) / Math.Sqrt(values.Length);
        return new Interval(mean, mean - half, mean + half, level);
    }

    /// <summary>
    /// Wilson score interval for a proportion p̂ = successes/trials: (p̂ + z²/2n ± z·√(p̂(1 - p̂)/n + z²/4n²))/(1 + z²/n).
    /// Unlike p̂ ± z·√(p̂(1 - p̂)/n) it stays inside [0, 1] and keeps its coverage near 0 and 1 (e.g. 100% accuracy).
    /// </summary>
    public static Interval Wilson(int successes, int trials, double level = 0.95)
    {
        RequireLevel(level);
        if (trials <= 0 || successes < 0 || successes > trials)
        {
            throw new ArgumentException($"ConfidenceIntervals.Wilson: needs 0 ≤ successes ≤ trials and trials > 0; got {successes} of {trials}.");
        }
        var n = (double)trials;
        var p = successes / n;
        var z = Normal.InvCDF(0, 1, (1 + level) / 2);
        var z2 = z * z;
        var centre = (p + z2 / (2 * n)) / (1 + z2 / n);
        var half = z / (1 + z2 / n) * Math.Sqrt(p * (1 - p) / n + z2 / (4 * n * n));
        return new Interval(p, Math.Max(0, centre - half), Math.Min(1, centre + half), level);
    }

    /// <summary>
    /// Bootstrap percentile interval: the statistic on <paramref name="resamples"/> resamples drawn with replacement
    /// (seeded, so reproducible), cut at the (1 - level)/2 and (1 + level)/2 quantiles. Estimate = statistic of the data.
    /// </summary>
    public static Interval Bootstrap(ReadOnlySpan<double> values, Func<double[], double> statistic, int resamples = 2000, double level = 0.95, ulong seed = 0)
    {
        ArgumentNullException.ThrowIfNull(statistic);
        RequireLevel(level);
        Statistics.RequireCount(values, 1, "ConfidenceIntervals.Bootstrap");
        if (resamples < 10) throw new ArgumentException($"ConfidenceIntervals.Bootstrap: needs at least 10 resamples; got {resamples}.");
        var data = values.ToArray();
        var generator = new Generator(seed);
        var stats = new double[resamples];
        var sample = new double[data.Length];
        for (var r = 0; r < resamples; r++)
        {
            for (var i = 0; i < sample.Length; i++) sample[i] = data[generator.NextInt64(0, data.Length)];
            stats[r] = statistic(sample);
        }
        var bounds = Statistics.Quantiles(stats, (1 - level) / 2, (1 + level) / 2);
        return new Interval(statistic(data), bounds[0], bounds[1], level);
    }

    private static void RequireLevel(double level)
    {
        if (!(level > 0 && level < 1)) throw new ArgumentException($"ConfidenceIntervals: level must lie strictly between 0 and 1 (e.g. 0.95); got {level}.");
    }
}
