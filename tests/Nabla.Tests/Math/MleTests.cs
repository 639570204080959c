using Nabla.Mathematics;
using Nabla.Mathematics.Distributions;
using Nabla.NN;
using static Nabla.Tests.MathTests.MathAssert;

namespace Nabla.Tests.MathTests;

/// <summary>Closed-form MLE recovers known parameters from samples, and gradient ascent on the log-likelihood lands on the closed form.</summary>
public class MleTests
{
    private const int N = 4000;

    [Fact]
    public void Normal()
    {
        var data = new Normal(2f, 0.5f).Sample([N], new Generator(1));
        var fit = Mle.FitNormal(data);
        Near(2, fit.Loc.Item(), 4 * 0.5 / Math.Sqrt(N), "μ̂");
        Near(0.5, fit.Scale.Item(), 4 * 0.5 / Math.Sqrt(2 * N), "σ̂");
        var x = data.ToArray().Select(v => (double)v).ToArray();
        Near(Statistics.StandardDeviation(x, unbiased: false), fit.Scale.Item(), 1e-5, "σ̂ is the population standard deviation");
        var byGradient = Mle.FitByGradient(p => new Normal(p[0], p[1].Exp()), [Tensor.Scalar(0f), Tensor.Scalar(0f)], data);
        var g = (Normal)byGradient.Distribution;
        Near(fit.Loc.Item(), g.Loc.Item(), 2e-3, "μ by gradient");
        Near(fit.Scale.Item(), g.Scale.Item(), 2e-3, "σ by gradient");
        Near(fit.LogProb(data).Mean().Item(), byGradient.MeanLogLikelihood, 1e-5, "same likelihood");
    }

    [Fact]
    public void Exponential()
    {
        var data = new Exponential(3f).Sample([N], new Generator(2));
        var fit = Mle.FitExponential(data);
        Near(3, fit.Rate.Item(), 4 * 3 / Math.Sqrt(N), "λ̂");
        var g = (Exponential)Mle.FitByGradient(p => new Exponential(p[0].Exp()), [Tensor.Scalar(0f)], data).Distribution;
        Near(fit.Rate.Item(), g.Rate.Item(), 3e-3 * 3, "λ by gradient");
    }

    [Fact]
    public void Bernoulli_and_binomial()
    {
        var flips = new Bernoulli(0.3f).Sample([N], new Generator(3));
        var fit = Mle.FitBernoulli(flips);
        Near(0.3, fit.Probs.Item(), 4 * Math.Sqrt(0.21 / N), "p̂");
        var g = (Bernoulli)Mle.FitByGradient(p => Mathematics.Distributions.Bernoulli.FromLogits(p[0]), [Tensor.Scalar(0f)], flips).Distribution;
        Near(fit.Probs.Item(), g.Probs.Item(), 1e-3, "p by gradient");

        var counts = new Binomial(12, 0.65f).Sample([N], new Generator(4));
        var binomial = Mle.FitBinomial(counts, 12);
        Near(0.65, binomial.Probs.Item(), 4 * Math.Sqrt(0.65 * 0.35 / (12 * N)), "p̂ binomial");
        var gb = (Binomial)Mle.FitByGradient(p => new Binomial(12, p[0].Sigmoid()), [Tensor.Scalar(0f)], counts).Distribution;
        Near(binomial.Probs.Item(), gb.Probs.Item(), 1e-3, "binomial p by gradient");
    }

    [Fact]
    public void Categorical_and_multinomial()
    {
        var truth = Tensor.FromArray(0.1f, 0.6f, 0.3f);
        var classes = new Categorical(truth).Sample([N], new Generator(5));
        var fit = Mle.FitCategorical(classes, 3);
        MathAssert.Near(truth, fit.Probs, 4 * Math.Sqrt(0.25 / N), "p̂");
        var g = (Categorical)Mle.FitByGradient(p => Mathematics.Distributions.Categorical.FromLogits(p[0]), [Tensor.Zeros(3)], classes).Distribution;
        MathAssert.Near(fit.Probs, g.Probs, 1e-3, "p by gradient");

        var counts = new Multinomial(5, truth).Sample([N / 4], new Generator(6));
        var multinomial = Mle.FitMultinomial(counts);
        Assert.Equal(5, multinomial.TotalCount);
        MathAssert.Near(truth, multinomial.Probs, 0.02, "p̂ multinomial");
        var gm = (Multinomial)Mle.FitByGradient(p => new Multinomial(5, Functional.Softmax(p[0], -1)), [Tensor.Zeros(3)], counts).Distribution;
        MathAssert.Near(multinomial.Probs, gm.Probs, 1e-3, "multinomial p by gradient");
    }

    [Fact]
    public void Beta_by_newton_and_by_gradient()
    {
        var data = new Beta(2f, 5f).Sample([N], new Generator(7));
        var fit = Mle.FitBeta(data);
        Near(2, fit.Alpha.Item(), 0.2, "α̂");
        Near(5, fit.BetaParameter.Item(), 0.5, "β̂");
        // Newton solved the likelihood equations: the score ∂ℓ/∂α = mean log x - ψ(α) + ψ(α + β) is zero at the fit.
        var (a, b) = (fit.Alpha.Item(), fit.BetaParameter.Item());
        var meanLog = data.Log().Mean().Item();
        Near(0, meanLog - Special.Digamma(a) + Special.Digamma(a + b), 1e-5, "score α");
        var g = (Beta)Mle.FitByGradient(p => new Beta(p[0].Exp(), p[1].Exp()), [Tensor.Scalar(0f), Tensor.Scalar(0f)], data).Distribution;
        Near(a, g.Alpha.Item(), 1e-2 * a, "α by gradient");
        Near(b, g.BetaParameter.Item(), 1e-2 * b, "β by gradient");
    }

    [Fact]
    public void Uniform_and_batched_fits()
    {
        var data = new Uniform(-2f, 3f).Sample([N], new Generator(8));
        var fit = Mle.FitUniform(data);
        Assert.Equal(data.Min().Item(), fit.Low.Item());
        Assert.Equal(data.Max().Item(), fit.High.Item());
        Assert.True(float.IsFinite(fit.LogProb(data).Sum().Item()), "the fit covers every observation");
        // Data [N, 2] fits two independent normals at once.
        var two = new Normal(Tensor.FromArray(0f, 10f), Tensor.FromArray(1f, 2f)).Sample([N], new Generator(9));
        var batch = Mle.FitNormal(two);
        Assert.Equal([2], batch.BatchShape.ToArray());
        MathAssert.Near(Tensor.FromArray(0f, 10f), batch.Loc, 0.012, "batched μ̂");
    }

    [Fact]
    public void Invalid_data_fail_clearly()
    {
        Assert.Contains("0 or 1", Assert.Throws<ArgumentException>(() => Mle.FitBernoulli(Tensor.FromArray(0f, 0.5f))).Message);
        Assert.Contains("strictly between 0 and 1", Assert.Throws<ArgumentException>(() => Mle.FitBeta(Tensor.FromArray(0.2f, 1f))).Message);
        Assert.Contains("constant", Assert.Throws<ArgumentException>(() => Mle.FitNormal(Tensor.FromArray(1f, 1f))).Message);
        Assert.Contains("same total", Assert.Throws<ArgumentException>(() => Mle.FitMultinomial(Tensor.FromArray([1f, 2f, 2f, 2f], 2, 2))).Message);
        var e = Assert.Throws<InvalidOperationException>(() => Mle.FitByGradient(p => new Exponential(p[0].Exp()), [Tensor.Scalar(0f)], Tensor.FromArray(-1f, 2f)));
        Assert.Contains("support", e.Message);
    }
}
