using Nabla.Mathematics.Distributions;
using Nabla.Optim;

namespace Nabla.Mathematics;

/// <summary>Result of <see cref="Mle.FitByGradient"/>.</summary>
/// <param name="Distribution">The distribution built from the fitted parameters.</param>
/// <param name="Parameters">The fitted unconstrained parameters (leaves, detached from any graph).</param>
/// <param name="MeanLogLikelihood">Average log-likelihood of the data at the fit.</param>
/// <param name="Steps">Optimizer steps taken.</param>
/// <param name="Converged">True when the largest gradient entry fell below the tolerance before the step limit.</param>
public sealed record MleFit(Distribution Distribution, Tensor[] Parameters, double MeanLogLikelihood, int Steps, bool Converged);

/// <summary>
/// Maximum-likelihood estimation. Closed forms (Beta by Newton's method, having none) take observations
/// along axis 0, data [N, batch...], and return a distribution of batch shape [batch...].
/// <see cref="FitByGradient"/> maximises the log-likelihood of any distribution with autograd and Adam,
/// which is how the closed forms can be checked, and how models without one are fitted.
/// </summary>
public static class Mle
{
    /// <summary>μ̂ = x̄, σ̂ = √(Σ(x - x̄)²/N) (the MLE divides by N, not N - 1).</summary>
    public static Normal FitNormal(Tensor data)
    {
        var x = Observations(data, "FitNormal", 2);
        var loc = x.Mean(0);
        var centred = x - loc;
        var scale = (centred * centred).Mean(0).Sqrt();
        Parameters.Require(scale, v => v > 0, "Mle.FitNormal", "the spread of the data", "non-zero (the data are constant)");
        return new Normal(loc, scale);
    }

    /// <summary>â = min x, b̂ = max x.</summary>
    public static Uniform FitUniform(Tensor data)
    {
        var x = Observations(data, "FitUniform", 2);
        return new Uniform(x.Min(0), x.Max(0));
    }

    /// <summary>λ̂ = 1/x̄ for data ≥ 0.</summary>
    public static Exponential FitExponential(Tensor data)
    {
        var x = Observations(data, "FitExponential", 1);
        Parameters.Require(x, v => v >= 0, "Mle.FitExponential", "data", "non-negative");
        return new Exponential(1f / x.Mean(0));
    }

    /// <summary>p̂ = x̄ for 0/1 data.</summary>
    public static Bernoulli FitBernoulli(Tensor data)
    {
        var x = Observations(data, "FitBernoulli", 1);
        Parameters.Require(x, v => v is 0f or 1f, "Mle.FitBernoulli", "data", "0 or 1");
        return new Bernoulli(x.Mean(0));
    }

    /// <summary>p̂ = x̄/n for success counts out of a known number of trials n.</summary>
    public static Binomial FitBinomial(Tensor data, int totalCount)
    {
        var x = Observations(data, "FitBinomial", 1);
        if (totalCount <= 0) throw new ArgumentException($"Mle.FitBinomial: totalCount must be positive; got {totalCount}.");
        Parameters.Require(x, v => v >= 0 && v <= totalCount && v == MathF.Floor(v), "Mle.FitBinomial", "data", $"whole numbers in [0, {totalCount}]");
        return new Binomial(Tensor.Scalar(totalCount), x.Mean(0) / totalCount);
    }

    /// <summary>p̂ₖ = (number of k)/N for class indices data [N, batch...] -> probabilities [batch..., K].</summary>
    public static Categorical FitCategorical(Tensor data, int numClasses)
    {
        var x = Observations(data, "FitCategorical", 1);
        if (numClasses <= 0) throw new ArgumentException($"Mle.FitCategorical: numClasses must be positive; got {numClasses}.");
        Parameters.Require(x, v => v >= 0 && v < numClasses && v == MathF.Floor(v), "Mle.FitCategorical", "data", $"class indices in [0, {numClasses})");
        return new Categorical(x.OneHot(numClasses).Mean(0));
    }

    /// <summary>p̂ = Σ counts/(N·n) for count vectors [N, batch..., K] that each sum to the same n.</summary>
    public static Multinomial FitMultinomial(Tensor counts)
    {
        var x = Observations(counts, "FitMultinomial", 1);
        if (x.Rank < 2) throw new ArgumentException($"Mle.FitMultinomial: counts must be [N, ..., K]; got shape {x.Shape}.");
        var totals = x.Sum(-1).ToArray();
        if (totals.Distinct().Count() != 1) throw new ArgumentException($"Mle.FitMultinomial: every count vector must have the same total n; found totals {totals.Min()} to {totals.Max()}.");
        var n = (int)totals[0];
        if (n <= 0) throw new ArgumentException("Mle.FitMultinomial: the count vectors are all zero.");
        return new Multinomial(n, x.Sum(0) / (x.Shape[0] * (float)n));
    }

    /// <summary>
    /// Beta MLE by Newton's method on the likelihood equations ψ(α) - ψ(α + β) = mean(log x) and
    /// ψ(β) - ψ(α + β) = mean(log(1 - x)), started from the method of moments; data strictly inside (0, 1).
    /// </summary>
    public static Beta FitBeta(Tensor data)
    {
        var x = Observations(data, "FitBeta", 2);
        Parameters.Require(x, v => v > 0 && v < 1, "Mle.FitBeta", "data", "strictly between 0 and 1");
        var logX = x.Log().Mean(0).ToArray();
        var log1mX = (1f - x).Log().Mean(0).ToArray();
        var mean = x.Mean(0).ToArray();
        var variance = x.Var([0], unbiased: false).ToArray();
        var alpha = new float[logX.Length];
        var beta = new float[logX.Length];
        for (var i = 0; i < alpha.Length; i++)
        {
            (var a, var b) = BetaNewton(logX[i], log1mX[i], mean[i], variance[i]);
            (alpha[i], beta[i]) = ((float)a, (float)b);
        }
        var shape = x.Shape.ToArray()[1..];
        return new Beta(Tensor.FromArray(alpha, shape), Tensor.FromArray(beta, shape));
    }

    /// <summary>
    /// Maximises the mean log-likelihood of <paramref name="data"/> under <c>model(parameters)</c> with Adam
    /// (learning rate annealed by a cosine to 1% of <paramref name="learningRate"/>), starting from copies of
    /// <paramref name="initial"/>. Write the model on unconstrained parameters, e.g.
    /// <c>p => new Normal(p[0], p[1].Exp())</c>, so every step stays valid.
    /// </summary>
    public static MleFit FitByGradient(Func<Tensor[], Distribution> model, Tensor[] initial, Tensor data, int maxSteps = 3000, float learningRate = 0.05f, double gradientTolerance = 1e-5)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(initial);
        ArgumentNullException.ThrowIfNull(data);
        if (initial.Length == 0) throw new ArgumentException("Mle.FitByGradient: needs at least one parameter tensor.");
        if (maxSteps <= 0) throw new ArgumentException($"Mle.FitByGradient: maxSteps must be positive; got {maxSteps}.");
        var parameters = initial.Select(p => p.Detach().Clone().RequireGrad()).ToArray();
        var optimizer = new Adam(parameters, learningRate);
        var steps = 0;
        var converged = false;
        for (; steps < maxSteps; steps++)
        {
            using var scope = TensorScope.Begin();
            optimizer.LearningRate = learningRate * (float)(0.01 + 0.99 * 0.5 * (1 + Math.Cos(Math.PI * steps / maxSteps)));
            optimizer.ZeroGrad();
            var loss = -model(parameters).LogProb(data).Mean();
            if (!float.IsFinite(loss.Item())) throw new InvalidOperationException($"Mle.FitByGradient: the log-likelihood became {-loss.Item()} at step {steps}; check that the data lie in the support and the parameters are transformed to valid ranges.");
            loss.Backward();
            if (parameters.All(p => p.Grad is null || p.Grad.Abs().Max().Item() < gradientTolerance))
            {
                converged = true;
                break;
            }
            optimizer.Step();
        }
        var fitted = parameters.Select(p => p.Detach()).ToArray();
        using var _ = Autograd.NoGrad();
        var distribution = model(fitted);
        return new MleFit(distribution, fitted, distribution.LogProb(data).Mean().Item(), steps, converged);
    }

    private static (double Alpha, double Beta) BetaNewton(double g1, double g2, double mean, double variance)
    {
        var common = variance > 0 ? mean * (1 - mean) / variance - 1 : 0;
        var (a, b) = common > 0 ? (mean * common, (1 - mean) * common) : (1.0, 1.0);
        for (var iteration = 0; iteration < 200; iteration++)
        {
            var psiSum = Special.Digamma(a + b);
            var f1 = Special.Digamma(a) - psiSum - g1;
            var f2 = Special.Digamma(b) - psiSum - g2;
            var tSum = Special.Trigamma(a + b);
            var (j11, j12, j22) = (Special.Trigamma(a) - tSum, -tSum, Special.Trigamma(b) - tSum);
            var det = j11 * j22 - j12 * j12;
            var da = (j22 * f1 - j12 * f2) / det;
            var db = (j11 * f2 - j12 * f1) / det;
            var step = 1.0;
            while (a - step * da <= 0 || b - step * db <= 0) step /= 2; // stay in the positive quadrant
            (a, b) = (a - step * da, b - step * db);
            if (Math.Abs(step * da) < 1e-12 * a && Math.Abs(step * db) < 1e-12 * b) break;
        }
        return (a, b);
    }

    private static Tensor Observations(Tensor data, string op, int minimum)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Rank == 0 || data.Shape[0] < minimum)
        {
            throw new ArgumentException($"Mle.{op}: expected at least {minimum} observation(s) along axis 0, data [N, batch...]; got shape {data.Shape}.");
        }
        Parameters.Finite(data, $"Mle.{op}", "data");
        return data.Detach();
    }
}
