using Nabla.Mathematics.Distributions;
using Nabla.Tests.Support;
using static Nabla.Tests.MathTests.MathAssert;

namespace Nabla.Tests.MathTests;

public class DistributionTests
{
    private static readonly double[] CategoricalP = [0.2, 0.5, 0.3];

    /// <summary>Each distribution with its textbook mean, variance and entropy (nats).</summary>
    private static readonly Dictionary<string, (Func<Distribution> Make, double Mean, double Variance, double Entropy)> Moments = new()
    {
        ["Normal(1, 2)"] = (() => new Normal(1f, 2f), 1, 4, 0.5 * Math.Log(2 * Math.PI * Math.E * 4)),
        ["Uniform(-1, 3)"] = (() => new Uniform(-1f, 3f), 1, 16.0 / 12, Math.Log(4)),
        ["Exponential(2)"] = (() => new Exponential(2f), 0.5, 0.25, 1 - Math.Log(2)),
        ["Bernoulli(0.3)"] = (() => new Bernoulli(0.3f), 0.3, 0.21, -(0.3 * Math.Log(0.3) + 0.7 * Math.Log(0.7))),
        ["Bernoulli(logit 0.8)"] = (() => Bernoulli.FromLogits(Tensor.Scalar(0.8f)), Sigmoid(0.8), Sigmoid(0.8) * (1 - Sigmoid(0.8)),
            -(Sigmoid(0.8) * Math.Log(Sigmoid(0.8)) + (1 - Sigmoid(0.8)) * Math.Log(1 - Sigmoid(0.8)))),
        ["Binomial(10, 0.3)"] = (() => new Binomial(10, 0.3f), 3, 2.1, EntropyOf(Enumerable.Range(0, 11).Select(k => BinomialPmf(10, 0.3, k)))),
        ["Categorical"] = (() => new Categorical(Tensor.FromArray(2f, 5f, 3f)), 1.1, 0.5 + 4 * 0.3 - 1.21, EntropyOf(CategoricalP)),
        // Beta(2, 3): mean 2/5, variance 6/(25·6); entropy ln B - (α-1)ψ(α) - (β-1)ψ(β) + (α+β-2)ψ(α+β) = 9/4 - ln 12 with ψ(n) = H_{n-1} - γ.
        ["Beta(2, 3)"] = (() => new Beta(2f, 3f), 0.4, 0.04, 2.25 - Math.Log(12)),
    };

    public static TheoryData<string> Names() => [.. Moments.Keys];

    [Theory]
    [MemberData(nameof(Names))]
    public void Moments_and_entropy_match_closed_forms(string name)
    {
        var (make, mean, variance, entropy) = Moments[name];
        var d = make();
        Near(mean, d.Mean.Item(), 1e-6, name + " mean");
        Near(variance, d.Variance.Item(), 1e-6, name + " variance");
        Near(entropy, d.Entropy().Item(), 2e-6, name + " entropy");
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Large_samples_reproduce_mean_and_variance(string name)
    {
        var (make, mean, variance, _) = Moments[name];
        const int n = 40_000;
        var x = make().Sample([n], new Generator(7)).ToArray().Select(v => (double)v).ToArray();
        var sampleMean = x.Average();
        var sampleVar = x.Sum(v => (v - sampleMean) * (v - sampleMean)) / (n - 1);
        // 5 standard errors: σ/√n for the mean, about σ²·√(2/n)·2 for the variance (heavier tails allowed).
        Near(mean, sampleMean, 5 * Math.Sqrt(variance / n), name + " sample mean");
        Near(variance, sampleVar, 10 * variance * Math.Sqrt(2.0 / n), name + " sample variance");
    }

    [Fact]
    public void Multinomial_moments_entropy_and_samples()
    {
        var d = new Multinomial(4, Tensor.FromArray(2f, 5f, 3f));
        Check.Close([0.8f, 2f, 1.2f], d.Mean, 1e-6, 1e-6);
        Check.Close(CategoricalP.Select(p => (float)(4 * p * (1 - p))).ToArray(), d.Variance, 1e-6, 1e-6);
        // Entropy by enumerating every count vector (x₀, x₁, x₂) with sum 4.
        var masses = new List<double>();
        for (var a = 0; a <= 4; a++)
        {
            for (var b = 0; a + b <= 4; b++) masses.Add(MultinomialPmf([a, b, 4 - a - b], CategoricalP));
        }
        Near(1, masses.Sum(), 1e-12, "enumeration");
        Near(EntropyOf(masses), d.Entropy().Item(), 1e-5, "entropy");
        var samples = d.Sample([20_000], new Generator(3));
        Assert.Equal([20_000, 3], samples.Shape.ToArray());
        Assert.True(samples.Sum(-1).Eq(4f).Sum().Item() == 20_000, "every draw has 4 counts");
        Near(d.Mean, samples.Mean(0), 0.03, "sample mean");
    }

    [Fact]
    public void Log_probabilities_match_reference_formulas()
    {
        Near(-0.5 * Math.Log(2 * Math.PI * 4) - 0.25 * 0.25 / 2, new Normal(1f, 2f).LogProb(Tensor.Scalar(1.5f)).Item(), 1e-6, "Normal");
        Near(Math.Log(2) - 2 * 0.7, new Exponential(2f).LogProb(Tensor.Scalar(0.7f)).Item(), 1e-6, "Exponential");
        Assert.Equal(float.NegativeInfinity, new Exponential(2f).LogProb(Tensor.Scalar(-0.1f)).Item());
        Near(-Math.Log(4), new Uniform(-1f, 3f).LogProb(Tensor.Scalar(0f)).Item(), 1e-6, "Uniform inside");
        Assert.Equal(float.NegativeInfinity, new Uniform(-1f, 3f).LogProb(Tensor.Scalar(3.01f)).Item());
        Near(Math.Log(0.3), new Bernoulli(0.3f).LogProb(Tensor.Scalar(1f)).Item(), 1e-6, "Bernoulli 1");
        Near(Math.Log(1 - Sigmoid(0.8)), Bernoulli.FromLogits(Tensor.Scalar(0.8f)).LogProb(Tensor.Scalar(0f)).Item(), 1e-6, "Bernoulli logits 0");
        for (var k = 0; k <= 10; k++) Near(Math.Log(BinomialPmf(10, 0.3, k)), new Binomial(10, 0.3f).LogProb(Tensor.Scalar(k)).Item(), 2e-5, $"Binomial k={k}");
        Near(Math.Log(0.5), new Categorical(Tensor.FromArray(2f, 5f, 3f)).LogProb(Tensor.Scalar(1f)).Item(), 1e-6, "Categorical");
        Near(Math.Log(MultinomialPmf([1, 2, 1], CategoricalP)), new Multinomial(4, Tensor.FromArray(CategoricalP.Select(p => (float)p).ToArray())).LogProb(Tensor.FromArray(1f, 2f, 1f)).Item(), 1e-5, "Multinomial");
        // Beta(2, 3) density 12·x(1 - x)²: at 0.25, 12·0.25·0.5625.
        Near(Math.Log(12 * 0.25 * 0.5625), new Beta(2f, 3f).LogProb(Tensor.Scalar(0.25f)).Item(), 1e-5, "Beta");
        Assert.Equal(float.NegativeInfinity, new Beta(2f, 3f).LogProb(Tensor.Scalar(1.5f)).Item());
        // Impossible outcomes are -∞, certain ones 0.
        Assert.Equal(float.NegativeInfinity, new Bernoulli(0f).LogProb(Tensor.Scalar(1f)).Item());
        Near(0, new Binomial(5, 1f).LogProb(Tensor.Scalar(5f)).Item(), 1e-6, "certain outcome");
    }

    [Fact]
    public void Cdfs_match_reference_values()
    {
        Near(0.975002104851780, new Normal(0f, 1f).Cdf(Tensor.Scalar(1.96f)).Item(), 1e-6, "Φ(1.96)"); // standard normal table
        Near(1 - Math.Exp(-2 * 0.7), new Exponential(2f).Cdf(Tensor.Scalar(0.7f)).Item(), 1e-6, "Exponential");
        Check.Close([0f, 0.25f, 1f], new Uniform(-1f, 3f).Cdf(Tensor.FromArray(-2f, 0f, 5f)));
        Check.Close([0f, 0.7f, 0.7f, 1f], new Bernoulli(0.3f).Cdf(Tensor.FromArray(-0.5f, 0f, 0.5f, 1f)));
        var cumulative = 0.0;
        for (var k = 0; k <= 10; k++)
        {
            cumulative += BinomialPmf(10, 0.3, k);
            Near(cumulative, new Binomial(10, 0.3f).Cdf(Tensor.Scalar(k + 0.5f)).Item(), 1e-5, $"Binomial P(X ≤ {k})");
        }
        Check.Close([0f, 0.2f, 0.7f, 0.7f, 1f], new Categorical(Tensor.FromArray(2f, 5f, 3f)).Cdf(Tensor.FromArray(-1f, 0f, 1f, 1.5f, 2f)), 1e-6, 1e-6);
        // I_0.4(2, 3) = P(Binomial(4, 0.4) ≥ 2) = 1 - 0.6⁴ - 4·0.4·0.6³.
        Near(1 - Math.Pow(0.6, 4) - 4 * 0.4 * Math.Pow(0.6, 3), new Beta(2f, 3f).Cdf(Tensor.Scalar(0.4f)).Item(), 1e-6, "Beta");
        Assert.Throws<NotSupportedException>(() => new Multinomial(3, Tensor.Ones(2)).Cdf(Tensor.FromArray(1f, 2f)));
    }

    public static TheoryData<string> GradientNames() => [.. GradientCases.Keys];

    private static readonly Dictionary<string, (Func<Tensor[], Tensor> F, Tensor[] Parameters)> GradientCases = new()
    {
        ["Normal"] = (p => new Normal(p[0], p[1]).LogProb(Tensor.FromArray(0.3f, -1f, 2f)), [Tensor.FromArray(0.1f, 0.5f, 1f), Tensor.FromArray(1.2f, 0.7f, 2f)]),
        ["Uniform"] = (p => new Uniform(p[0], p[1]).LogProb(Tensor.FromArray(0.5f, 1f)), [Tensor.FromArray(-1f, 0f), Tensor.FromArray(2f, 3f)]),
        ["Exponential"] = (p => new Exponential(p[0]).LogProb(Tensor.FromArray(0.3f, 2f)), [Tensor.FromArray(1.5f, 0.5f)]),
        ["Bernoulli"] = (p => new Bernoulli(p[0]).LogProb(Tensor.FromArray(1f, 0f)), [Tensor.FromArray(0.3f, 0.6f)]),
        ["Bernoulli logits"] = (p => Bernoulli.FromLogits(p[0]).LogProb(Tensor.FromArray(1f, 0f)), [Tensor.FromArray(0.3f, -2f)]),
        ["Binomial"] = (p => new Binomial(8, p[0]).LogProb(Tensor.FromArray(0f, 3f, 8f)), [Tensor.FromArray(0.3f, 0.6f, 0.5f)]),
        ["Categorical"] = (p => new Categorical(p[0]).LogProb(Tensor.FromArray(0f, 2f)), [Tensor.FromArray([0.2f, 0.5f, 0.3f, 1f, 1f, 2f], 2, 3)]),
        ["Categorical logits"] = (p => Categorical.FromLogits(p[0]).LogProb(Tensor.FromArray(1f, 2f)), [Tensor.FromArray([0.2f, -0.5f, 1.3f, 1f, 0f, 2f], 2, 3)]),
        ["Multinomial"] = (p => new Multinomial(5, p[0]).LogProb(Tensor.FromArray(1f, 3f, 1f)), [Tensor.FromArray(0.2f, 0.5f, 0.3f)]),
        ["Beta"] = (p => new Beta(p[0], p[1]).LogProb(Tensor.FromArray(0.2f, 0.7f)), [Tensor.FromArray(2f, 0.8f), Tensor.FromArray(3f, 1.5f)]),
        ["Beta entropy"] = (p => new Beta(p[0], p[1]).Entropy(), [Tensor.FromArray(2f, 0.8f), Tensor.FromArray(3f, 1.5f)]),
        ["Binomial cdf"] = (p => new Binomial(6, p[0]).Cdf(Tensor.FromArray(2f, 4f)), [Tensor.FromArray(0.3f, 0.6f)]),
        ["Normal cdf"] = (p => new Normal(p[0], p[1]).Cdf(Tensor.FromArray(0.3f, 2f)), [Tensor.FromArray(0.1f, 1f), Tensor.FromArray(1.2f, 0.7f)]),
    };

    [Theory]
    [MemberData(nameof(GradientNames))]
    public void Log_prob_is_differentiable_in_the_parameters(string name)
    {
        var (f, parameters) = GradientCases[name];
        Check.Gradients(f, parameters, name, eps: 1e-3, tol: 2e-2);
    }

    [Fact]
    public void Rsample_passes_gradients_to_loc_and_scale()
    {
        var loc = Tensor.FromArray(1f, -2f).RequireGrad();
        var scale = Tensor.FromArray(0.5f, 3f).RequireGrad();
        var x = new Normal(loc, scale).RSample([1000], new Generator(5)); // [1000, 2]
        x.Sum().Backward();
        Check.Close([1000f, 1000f], loc.Grad!); // dx/dμ = 1
        var noise = ((x.Detach() - loc.Detach()) / scale.Detach()).Sum(0); // dx/dσ = ε
        Check.Close(noise.ToArray(), scale.Grad!, 1e-4, 1e-3);
        Assert.Throws<NotSupportedException>(() => new Bernoulli(0.5f).RSample([2]));
        Assert.False(new Normal(loc, scale).Sample(3).RequiresGrad);
    }

    [Fact]
    public void Shapes_follow_batch_and_sample_rules()
    {
        var d = new Normal(Tensor.Zeros(3), Tensor.Ones(2, 1));
        Assert.Equal([2, 3], d.BatchShape.ToArray());
        Assert.Equal([5, 4, 2, 3], d.Sample([5, 4], new Generator(1)).Shape.ToArray());
        Assert.Equal([4, 2, 3], d.LogProb(Tensor.Zeros(4, 1, 1)).Shape.ToArray());
        Assert.Equal([2, 3], d.Variance.Shape.ToArray());
        var c = new Categorical(Tensor.Ones(2, 4));
        Assert.Equal([2], c.BatchShape.ToArray());
        Assert.Equal([6, 2], c.Sample([6], new Generator(1)).Shape.ToArray());
        Assert.Equal([3, 2], c.LogProb(Tensor.Zeros(3, 1)).Shape.ToArray());
        var m = new Multinomial(3, Tensor.Ones(2, 4));
        Assert.Equal([7, 2, 4], m.Sample([7], new Generator(1)).Shape.ToArray());
        Assert.Equal([4], m.EventShape.ToArray());
        Assert.Equal([2], new Binomial(Tensor.FromArray(3f, 5f), Tensor.Scalar(0.5f)).Sample([], new Generator(1)).Shape.ToArray());
    }

    [Fact]
    public void Sampling_is_reproducible_with_a_seed()
    {
        foreach (var d in Moments.Values.Select(m => m.Make()))
        {
            Assert.Equal(d.Sample([50], new Generator(11)).ToArray(), d.Sample([50], new Generator(11)).ToArray());
        }
    }

    [Fact]
    public void Invalid_parameters_and_values_fail_with_clear_messages()
    {
        Assert.Contains("scale must be positive", Assert.Throws<ArgumentException>(() => new Normal(0f, -1f)).Message);
        Assert.Contains("probability", Assert.Throws<ArgumentException>(() => new Bernoulli(1.5f)).Message);
        Assert.Contains("high - low", Assert.Throws<ArgumentException>(() => new Uniform(2f, 1f)).Message);
        Assert.Contains("0 or 1", Assert.Throws<ArgumentException>(() => new Bernoulli(0.5f).LogProb(Tensor.Scalar(0.5f))).Message);
        Assert.Contains("exceed", Assert.Throws<ArgumentException>(() => new Binomial(3, 0.5f).LogProb(Tensor.Scalar(4f))).Message);
        Assert.Contains("class indices in [0, 3)", Assert.Throws<ArgumentException>(() => new Categorical(Tensor.Ones(3)).LogProb(Tensor.Scalar(3f))).Message);
        Assert.Contains("sum to totalCount = 3", Assert.Throws<ArgumentException>(() => new Multinomial(3, Tensor.Ones(2)).LogProb(Tensor.FromArray(1f, 1f))).Message);
    }

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    private static double Choose(int n, int k)
    {
        double c = 1;
        for (var i = 1; i <= k; i++) c = c * (n - k + i) / i;
        return c;
    }

    private static double BinomialPmf(int n, double p, int k) => Choose(n, k) * Math.Pow(p, k) * Math.Pow(1 - p, n - k);

    private static double MultinomialPmf(int[] counts, double[] p)
    {
        double result = 1;
        var left = counts.Sum();
        for (var i = 0; i < counts.Length; i++)
        {
            result *= Choose(left, counts[i]) * Math.Pow(p[i], counts[i]);
            left -= counts[i];
        }
        return result;
    }

    private static double EntropyOf(IEnumerable<double> masses) => -masses.Where(m => m > 0).Sum(m => m * Math.Log(m));
}
