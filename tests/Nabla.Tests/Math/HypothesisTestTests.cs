using Nabla.Mathematics;
using static Nabla.Tests.MathTests.MathAssert;

namespace Nabla.Tests.MathTests;

/// <summary>Test statistics and p-values against published worked examples (source cited on each).</summary>
public class HypothesisTestTests
{
    // R's datasets::sleep (Cushny and Peebles 1905, analysed by Student 1908): extra hours of sleep for ten patients
    // under two drugs. R's ?t.test examples report paired: t = -4.0621, df = 9, p = 0.002833, and Welch:
    // t = -1.8608, df = 17.776, p = 0.07939.
    private static readonly double[] Drug1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
    private static readonly double[] Drug2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];

    [Fact]
    public void Paired_t_test_matches_the_sleep_data_example()
    {
        var r = HypothesisTests.PairedT(Drug1, Drug2);
        Near(-4.0621, r.Statistic, 5e-5, "t");
        Assert.Equal(9, r.DegreesOfFreedom);
        Near(0.002833, r.PValue, 5e-7, "p");
        Assert.True(r.IsSignificant());
    }

    [Fact]
    public void Welch_t_test_matches_published_r_output()
    {
        var sleep = HypothesisTests.WelchT(Drug1, Drug2);
        Near(-1.8608, sleep.Statistic, 5e-5, "sleep t");
        Near(17.776, sleep.DegreesOfFreedom, 5e-4, "sleep df");
        Near(0.07939, sleep.PValue, 5e-6, "sleep p");
        // R t.test(ts1, ts2) quoted on Cross Validated ("Welch's t-test confidence interval"):
        // t = -1.8325, df = 17.9, p-value = 0.08356.
        double[] ts1 = [11, 9, 10, 11, 10, 12, 9, 11, 12, 9];
        double[] ts2 = [11, 13, 10, 13, 12, 9, 11, 12, 12, 11];
        var r = HypothesisTests.WelchT(ts1, ts2);
        Near(-1.8325, r.Statistic, 5e-5, "t");
        Near(17.9, r.DegreesOfFreedom, 0.05, "df");
        Near(0.08356, r.PValue, 5e-6, "p");
        // One-sided p-values split the two-sided one by the sign of t.
        Near(0.08356 / 2, HypothesisTests.WelchT(ts1, ts2, Alternative.Less).PValue, 5e-6, "p (less)");
        Near(1 - 0.08356 / 2, HypothesisTests.WelchT(ts1, ts2, Alternative.Greater).PValue, 5e-6, "p (greater)");
    }

    [Fact]
    public void One_sample_t_test_matches_published_r_output()
    {
        // statscodes.com, "One sample t-tests in R": t.test(c(1.5, -2.0, 2.1, -2.2, 1.3, 3.2), mu = 0)
        // gives t = 0.71354, df = 5, p-value = 0.5074, 95% CI -1.691676 to 2.991676.
        double[] data = [1.5, -2.0, 2.1, -2.2, 1.3, 3.2];
        var r = HypothesisTests.OneSampleT(data);
        Near(0.71354, r.Statistic, 5e-6, "t");
        Assert.Equal(5, r.DegreesOfFreedom);
        Near(0.5074, r.PValue, 5e-5, "p");
        var ci = ConfidenceIntervals.Mean(data);
        Near(-1.691676, ci.Lower, 5e-7, "CI lower");
        Near(2.991676, ci.Upper, 5e-7, "CI upper");
        Assert.Contains("constant", Assert.Throws<ArgumentException>(() => HypothesisTests.OneSampleT([3.0, 3.0, 3.0])).Message);
    }

    [Fact]
    public void Student_t_test_matches_hand_computation()
    {
        // web.mst.edu "t-test example" (Sam Sleepresearcher): X = 5 7 5 3 5 3 3 9 (mean 5, SS 32), Y = 8 1 4 6 6 4 1 2 (mean 4, SS 46);
        // pooled variance 78/14, t = 1/√(78/14 · 2/8) = 0.8473 on 14 df, below the 2.145 needed for p < .05.
        var r = HypothesisTests.StudentT([5, 7, 5, 3, 5, 3, 3, 9], [8, 1, 4, 6, 6, 4, 1, 2]);
        Near(1 / Math.Sqrt(78.0 / 14 * 2 / 8), r.Statistic, 1e-12, "t");
        Assert.Equal(14, r.DegreesOfFreedom);
        Assert.False(r.IsSignificant());
    }

    [Fact]
    public void Chi_square_goodness_of_fit_matches_mendel()
    {
        // Mendel's dihybrid cross (NDSU PLSC 431 notes, "The Chi-Square Test"): 315 round yellow, 108 round green,
        // 101 wrinkled yellow, 32 wrinkled green against 9:3:3:1 gives χ² = 0.47 on 3 df (p > 0.90).
        var r = HypothesisTests.ChiSquareGoodnessOfFit([315, 108, 101, 32], [9, 3, 3, 1]);
        Near(0.470, r.Statistic, 5e-4, "χ²");
        Assert.Equal(3, r.DegreesOfFreedom);
        Assert.InRange(r.PValue, 0.90, 0.95);
        // The same counts against equal proportions (E = 556/4 = 139), by hand: (176² + 31² + 38² + 107²)/139 = 44830/139.
        var uniform = HypothesisTests.ChiSquareGoodnessOfFit([315, 108, 101, 32]);
        Near(44830.0 / 139, uniform.Statistic, 1e-9, "χ² uniform");
        Assert.True(uniform.PValue < 1e-60);
    }

    [Fact]
    public void Chi_square_independence_matches_worked_examples()
    {
        // wizedu.com worked answer (goals by gender): χ² = 89.966 on 2 df, first expected count 144.19.
        var goals = new double[,] { { 96, 295 }, { 32, 45 }, { 94, 40 } };
        var r = HypothesisTests.ChiSquareIndependence(goals);
        Near(89.966, r.Statistic, 5e-3, "χ² goals");
        Assert.Equal(2, r.DegreesOfFreedom);
        Near(144.19, HypothesisTests.ExpectedCounts(goals)[0, 0], 5e-3, "E₁₁");
        // wizedu.com (important factor by gender): χ² = 11.603 on 2 df.
        Near(11.603, HypothesisTests.ChiSquareIndependence(new double[,] { { 12, 16 }, { 16, 32 }, { 30, 14 } }).Statistic, 5e-4, "χ² factor");
        // Sports participation by school year (2x4, a worked answer on uonbi.ac.ke): χ² = 16.244 on 3 df, p ≈ 0.001
        // (the answer rounds its expected counts to two decimals, which moves χ² in the third decimal).
        var sports = HypothesisTests.ChiSquareIndependence(new double[,] { { 75, 88, 55, 42 }, { 30, 28, 38, 40 } });
        Near(16.244, sports.Statistic, 5e-3, "χ² sports");
        Assert.Equal(3, sports.DegreesOfFreedom);
        Near(0.001, sports.PValue, 5e-4, "p sports");
        // R chisq.test on [[45, 5], [15, 15]] (pass/fail by gender, RPubs "chi-square test of independence"),
        // with R's default Yates correction: p = 0.0001889622.
        var yates = HypothesisTests.ChiSquareIndependence(new double[,] { { 45, 5 }, { 15, 15 } }, continuityCorrection: true);
        Near(0.0001889622, yates.PValue, 5e-10, "p Yates");
        Assert.Contains("row 1", Assert.Throws<ArgumentException>(() => HypothesisTests.ChiSquareIndependence(new double[,] { { 1, 2 }, { 0, 0 } })).Message);
    }

    [Fact]
    public void McNemar_matches_published_examples()
    {
        // Wikipedia, "McNemar's test", first example: b = 121, c = 59 gives χ² = (121 - 59)²/(121 + 59) = 21.35.
        Near(21.3556, HypothesisTests.McNemar(121, 59, continuityCorrection: false).Statistic, 5e-5, "Wikipedia χ²");
        // StatsDirect manual, from Armitage and Berry (1994, p. 127), culture media: b = 12, c = 2 gives
        // Yates-corrected χ² = 5.785714, P = 0.0162; exact (Liddell) two-sided P = 0.0129.
        var corrected = HypothesisTests.McNemar(12, 2);
        Near(5.785714, corrected.Statistic, 5e-7, "Armitage χ²");
        Near(0.0162, corrected.PValue, 5e-5, "Armitage p");
        Near(0.0129, HypothesisTests.McNemarExact(12, 2).PValue, 5e-5, "Armitage exact p");
        // stat-tools.xyz McNemar calculator, b = 12, c = 5: χ²(cc) = 2.1176, p = 0.1456, exact p = 0.1435.
        var st = HypothesisTests.McNemar(12, 5);
        Near(2.1176, st.Statistic, 5e-5, "χ² cc");
        Near(0.1456, st.PValue, 5e-5, "p cc");
        Near(0.1435, HypothesisTests.McNemarExact(12, 5).PValue, 5e-5, "exact p");
        // Calcugator chi2_mcnemar example (death-penalty opinions): b = 11, c = 3, exact two-tailed p = 0.057373046875.
        Near(0.057373046875, HypothesisTests.McNemarExact(11, 3).PValue, 1e-12, "exact p = 2·470/2¹⁴");
        Assert.Equal(1, HypothesisTests.McNemar(0, 0).PValue);
        Assert.Equal(1, HypothesisTests.McNemarExact(4, 4).PValue);
    }

    [Fact]
    public void Tail_functions_agree_with_textbook_critical_values()
    {
        // Tables: χ²₁ = 3.841 and χ²₃ = 7.815 cut 5%; t₁₄ = 2.145 and t₉ = 2.262 cut 5% two-sided.
        Near(0.05, HypothesisTests.ChiSquareSurvival(3.841459, 1), 1e-6, "χ²₁");
        Near(0.05, HypothesisTests.ChiSquareSurvival(7.814728, 3), 1e-6, "χ²₃");
        Near(0.05, HypothesisTests.StudentTTwoSided(2.144787, 14), 1e-6, "t₁₄");
        Near(0.05, HypothesisTests.StudentTTwoSided(2.262157, 9), 1e-6, "t₉");
    }
}
