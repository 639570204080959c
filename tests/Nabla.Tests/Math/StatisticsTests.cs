using Nabla.Mathematics;
using Nabla.Tests.Support;
using static Nabla.Tests.MathTests.MathAssert;

namespace Nabla.Tests.MathTests;

public class StatisticsTests
{
    [Fact]
    public void Mean_variance_and_standard_deviation_population_and_sample()
    {
        // Wikipedia, "Standard deviation": 2, 4, 4, 4, 5, 5, 7, 9 has mean 5, population σ = 2; the sample variance is 32/7.
        double[] x = [2, 4, 4, 4, 5, 5, 7, 9];
        Assert.Equal(5, Statistics.Mean(x));
        Assert.Equal(4, Statistics.Variance(x, unbiased: false));
        Assert.Equal(2, Statistics.StandardDeviation(x, unbiased: false));
        Near(32.0 / 7, Statistics.Variance(x), 1e-12, "sample variance");
        Assert.Throws<ArgumentException>(() => Statistics.Variance([1.0]));
        Assert.Throws<ArgumentException>(() => Statistics.Mean([]));
    }

    // NumPy's default (linear) percentiles, by hand: h = (n - 1)q between the sorted values.
    public static TheoryData<double[], double, double> QuantileCases() => new()
    {
        { [1, 2, 3, 4], 0.5, 2.5 },
        { [1, 2, 3, 4], 0.25, 1.75 },
        { [4, 1, 3, 2], 0.75, 3.25 },
        { [10], 0.3, 10 },
        { [7, 15, 36, 39, 40, 41], 0.0, 7 },
        { [7, 15, 36, 39, 40, 41], 1.0, 41 },
        { [7, 15, 36, 39, 40, 41], 0.4, 36 },  // h = 2
        { [7, 15, 36, 39, 40, 41], 0.9, 40.5 }, // h = 4.5
    };

    [Theory]
    [MemberData(nameof(QuantileCases))]
    public void Quantiles_interpolate_linearly_like_numpy(double[] x, double q, double expected)
    {
        Near(expected, Statistics.Quantile(x, q), 1e-12, $"q = {q}");
        Near(expected, Statistics.Quantile(Tensor.FromArray(x.Select(v => (float)v).ToArray()), q).Item(), 1e-5, "tensor form");
    }

    [Fact]
    public void Tensor_quantile_works_along_any_axis()
    {
        var x = Tensor.FromArray([1f, 5f, 2f, 8f, 3f, 4f], 2, 3); // rows [1 5 2], [8 3 4]
        Check.Close([2f, 4f], Statistics.Quantile(x, 0.5, axis: 1));
        Check.Close([4.5f, 4f, 3f], Statistics.Quantile(x, 0.5, axis: 0));
        Assert.Equal([2, 1], Statistics.Quantile(x, 0.5, axis: 1, keepDims: true).Shape.ToArray());
        Assert.Equal([0.5, 2.5], Statistics.Quantiles([0, 1, 2, 3], 1.0 / 6, 5.0 / 6).Select(v => Math.Round(v, 12)));
    }

    [Fact]
    public void Covariance_and_correlation_matrices_match_pairwise_formulas()
    {
        // x₂ = 2·x₁ exactly: cov = [[1, 2], [2, 4]], correlation 1 everywhere.
        var line = Tensor.FromArray([1f, 2f, 2f, 4f, 3f, 6f], 3, 2);
        Check.Close([1f, 2f, 2f, 4f], Statistics.CovarianceMatrix(line));
        Check.Close([1f, 1f, 1f, 1f], Statistics.CorrelationMatrix(line), 1e-6, 1e-6);
        Check.Close([2f / 3, 4f / 3, 4f / 3, 8f / 3], Statistics.CovarianceMatrix(line, unbiased: false), 1e-6, 1e-6);

        var x = Tensor.Randn([50, 3], new Generator(4));
        var columns = Enumerable.Range(0, 3).Select(j => x.Select(1, j).ToArray().Select(v => (double)v).ToArray()).ToArray();
        var cov = Statistics.CovarianceMatrix(x);
        var corr = Statistics.CorrelationMatrix(x);
        for (var i = 0; i < 3; i++)
        {
            for (var j = 0; j < 3; j++)
            {
                Near(Statistics.Covariance(columns[i], columns[j]), cov[i, j], 1e-5, $"cov[{i}, {j}]");
                Near(i == j ? 1 : Statistics.Correlation(columns[i], columns[j]), corr[i, j], 1e-5, $"corr[{i}, {j}]");
            }
        }
        Check.Gradients(xs => Statistics.CorrelationMatrix(xs[0]), [Tensor.Randn([6, 2], new Generator(5))], "correlation");
        Assert.Contains("column 1", Assert.Throws<ArgumentException>(() => Statistics.CorrelationMatrix(Tensor.FromArray([1f, 2f, 3f, 2f], 2, 2))).Message);
    }

    [Fact]
    public void Bayes_posterior_matches_textbook_examples()
    {
        // Downey, "Think Bayes", the cookie problem: bowl 1 has 30 vanilla and 10 chocolate, bowl 2 has 20 and 20;
        // a vanilla cookie makes bowl 1 have posterior (½·¾)/(½·¾ + ½·½) = 0.6.
        var cookie = Bayes.Posterior([0.5, 0.5], [0.75, 0.5]);
        Near(0.6, cookie[0], 1e-12, "bowl 1");
        Near(0.4, cookie[1], 1e-12, "bowl 2");
        // Screening: prevalence 1%, sensitivity 90%, false-positive rate 9%: P(D | +) = 0.009/(0.009 + 0.0891).
        var screening = Bayes.Posterior([0.01, 0.99], [0.9, 0.09]);
        Near(0.009 / (0.009 + 0.0891), screening[0], 1e-12, "P(disease | positive)");
        Near(0.0981, Bayes.Evidence([0.01, 0.99], [0.9, 0.09]), 1e-12, "P(positive)");
        Check.Close([0.6f, 0.4f], Bayes.Posterior(Tensor.FromArray(0.5f, 0.5f), Tensor.FromArray(0.75f, 0.5f)), 1e-6, 1e-6);
        Assert.Contains("sum to 1", Assert.Throws<ArgumentException>(() => Bayes.Posterior([0.5, 0.6], [1, 1])).Message);
        Assert.Contains("probability 0", Assert.Throws<ArgumentException>(() => Bayes.Posterior([0.5, 0.5], [0, 0])).Message);
    }
}
