using Nabla.Mathematics;
using static Nabla.Tests.MathTests.MathAssert;

namespace Nabla.Tests.MathTests;

public class ConfidenceIntervalTests
{
    [Fact]
    public void T_interval_matches_the_paired_sleep_example()
    {
        // R's ?t.test paired sleep example: mean difference -1.58 with 95% CI -2.4598858 to -0.7001142.
        double[] d = [-1.2, -2.4, -1.3, -1.3, 0.0, -1.0, -1.8, -0.8, -4.6, -1.4];
        var ci = ConfidenceIntervals.Mean(d);
        Near(-1.58, ci.Estimate, 1e-12, "mean");
        Near(-2.4598858, ci.Lower, 5e-8, "lower");
        Near(-0.7001142, ci.Upper, 5e-8, "upper");
        Assert.Equal(0.95, ci.Level);
    }

    // Code Golf Stack Exchange "Compute the Wilson score interval" test cases (z = 1.96):
    // successes, failures => lower, upper.
    public static TheoryData<int, int, double, double> WilsonCases() => new()
    {
        { 0, 1, 0.0, 0.7934567085261071 },
        { 1, 1, 0.09452865480086611, 0.905471345199134 },
        { 10, 90, 0.05522854161313612, 0.1743673043676654 },
        { 75, 25, 0.6569535362992417, 0.8245490599627573 },
        { 100, 0, 0.9630051925239981, 1.0 },
    };

    [Theory]
    [MemberData(nameof(WilsonCases))]
    public void Wilson_interval_matches_published_values(int successes, int failures, double lower, double upper)
    {
        var ci = ConfidenceIntervals.Wilson(successes, successes + failures);
        // The published values use z = 1.96 rather than 1.959964: a difference below 2e-5.
        Near(lower, ci.Lower, 2e-5, "lower");
        Near(upper, ci.Upper, 2e-5, "upper");
        Assert.True(ci.Contains(ci.Estimate));
    }

    [Fact]
    public void T_interval_covers_the_true_mean_about_95_percent_of_the_time()
    {
        // 2,000 samples of 8 from N(10, 3²): the coverage is Binomial(2000, 0.95), sd 0.5%, so 93-97% is ±4 sd.
        var samples = Tensor.Randn([2000, 8], new Generator(2024)) * 3f + 10f;
        var values = samples.ToArray();
        var covered = 0;
        var row = new double[8];
        for (var s = 0; s < 2000; s++)
        {
            for (var i = 0; i < 8; i++) row[i] = values[s * 8 + i];
            if (ConfidenceIntervals.Mean(row).Contains(10)) covered++;
        }
        Assert.InRange(covered / 2000.0, 0.93, 0.97);
    }

    [Fact]
    public void Wilson_interval_keeps_its_coverage_for_an_accuracy_near_one()
    {
        // Accuracy 0.97 on 200 examples, 2,000 simulated test sets.
        var g = new Generator(77);
        var covered = 0;
        for (var s = 0; s < 2000; s++)
        {
            var correct = 0;
            for (var i = 0; i < 200; i++) correct += g.NextDouble() < 0.97 ? 1 : 0;
            if (ConfidenceIntervals.Wilson(correct, 200).Contains(0.97)) covered++;
        }
        Assert.InRange(covered / 2000.0, 0.93, 0.97);
    }

    [Fact]
    public void Bootstrap_percentile_interval_is_reproducible_and_close_to_the_t_interval_for_a_mean()
    {
        var data = (Tensor.Randn([400], new Generator(9)) * 2f + 1f).ToArray().Select(v => (double)v).ToArray();
        var boot = ConfidenceIntervals.Bootstrap(data, s => s.Average(), resamples: 2000, seed: 42);
        var again = ConfidenceIntervals.Bootstrap(data, s => s.Average(), resamples: 2000, seed: 42);
        Assert.Equal(boot, again);
        var t = ConfidenceIntervals.Mean(data);
        Near(data.Average(), boot.Estimate, 1e-12, "estimate");
        // For a mean of 400 normal values both intervals are x̄ ± 1.97·s/√n up to resampling noise (about 5% of the width).
        Near(t.Lower, boot.Lower, 0.1 * t.Width, "lower");
        Near(t.Upper, boot.Upper, 0.1 * t.Width, "upper");
        var median = ConfidenceIntervals.Bootstrap(data, s => Statistics.Median(s), seed: 1);
        Assert.True(median.Lower < median.Estimate && median.Estimate < median.Upper);
    }

    [Fact]
    public void Bad_arguments_fail_clearly()
    {
        Assert.Contains("level", Assert.Throws<ArgumentException>(() => ConfidenceIntervals.Mean([1, 2, 3], 95)).Message);
        Assert.Contains("successes", Assert.Throws<ArgumentException>(() => ConfidenceIntervals.Wilson(5, 4)).Message);
    }
}
