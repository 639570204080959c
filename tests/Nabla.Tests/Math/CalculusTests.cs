using Nabla.Mathematics;
using Nabla.Mathematics.Distributions;
using Nabla.NN;
using Nabla.Tests.Support;
using static Nabla.Tests.MathTests.MathAssert;

namespace Nabla.Tests.MathTests;

public class CalculusTests
{
    public static TheoryData<string, double, double> Derivatives() => new()
    {
        { "sin", 1.0, Math.Cos(1.0) },
        { "exp", -2.0, Math.Exp(-2.0) },
        { "x^3", 3.0, 27.0 },
        { "log", 50.0, 1 / 50.0 },
        { "sqrt", 4.0, 0.25 },
    };

    private static Func<double, double> Named(string name) => name switch
    {
        "sin" => Math.Sin,
        "exp" => Math.Exp,
        "x^3" => x => x * x * x,
        "log" => Math.Log,
        _ => Math.Sqrt,
    };

    [Theory]
    [MemberData(nameof(Derivatives))]
    public void Derivative_matches_calculus(string name, double x, double expected)
    {
        Near(expected, Calculus.Derivative(Named(name), x), 1e-10 * Math.Max(1, Math.Abs(expected)), name);
    }

    [Fact]
    public void Second_derivative_and_gradients_match_calculus()
    {
        Near(-Math.Sin(1.0), Calculus.SecondDerivative(Math.Sin, 1.0), 1e-6, "sin''");
        Near(6 * 2.0, Calculus.SecondDerivative(x => x * x * x, 2.0), 1e-6, "(x³)''");
        // f(x, y) = x²y + sin y: ∇f = (2xy, x² + cos y).
        var g = Calculus.Gradient(v => v[0] * v[0] * v[1] + Math.Sin(v[1]), [1.5, -0.5]);
        Near(2 * 1.5 * -0.5, g[0], 1e-9, "∂f/∂x");
        Near(2.25 + Math.Cos(-0.5), g[1], 1e-9, "∂f/∂y");
        // Tensor form agrees with autograd on a scalar function of a matrix.
        var x = Tensor.Randn([2, 3], new Generator(3));
        Func<Tensor, Tensor> f = t => (t.Tanh() * t).Sum() + t.Exp().Mean();
        var leaf = x.Clone().RequireGrad();
        f(leaf).Backward();
        Near(leaf.Grad!, Calculus.Gradient(f, x), 2e-4, "numeric vs autograd");
        Assert.Contains("single value", Assert.Throws<ArgumentException>(() => Calculus.Gradient(t => t * 2f, x)).Message);
    }

    public static TheoryData<string, double, double, double> Integrals() => new()
    {
        { "x^3", 0, 2, 4 },                             // x⁴/4
        { "sin", 0, Math.PI, 2 },
        { "sqrt", 0, 1, 2.0 / 3 },                        // unbounded derivative at 0
        { "exp", 1, 0, -(Math.E - 1) },                  // reversed limits negate
        { "gauss", double.NegativeInfinity, double.PositiveInfinity, 1 },
        { "decay", 0, double.PositiveInfinity, 1 },      // ∫₀^∞ e^{-x}
        { "growth", double.NegativeInfinity, 0, 1 },     // ∫_{-∞}^0 eˣ
        { "cauchy", double.NegativeInfinity, double.PositiveInfinity, 1 }, // 1/(π(1 + x²)): decays only like 1/x²
    };

    [Theory]
    [MemberData(nameof(Integrals))]
    public void Adaptive_simpson_integrates_to_closed_forms(string name, double a, double b, double expected)
    {
        Func<double, double> f = name switch
        {
            "gauss" => x => Math.Exp(-x * x / 2) / Math.Sqrt(2 * Math.PI),
            "decay" => x => Math.Exp(-x),
            "growth" => Math.Exp,
            "cauchy" => x => 1 / (Math.PI * (1 + x * x)),
            _ => Named(name),
        };
        Near(expected, Calculus.Integrate(f, a, b), name == "sqrt" || name == "cauchy" ? 1e-7 : 1e-9, name);
    }

    public static TheoryData<string> Densities() => ["Normal", "Exponential", "Beta(2, 5)", "Uniform"];

    [Theory]
    [MemberData(nameof(Densities))]
    public void Probability_densities_integrate_to_one_and_give_their_mean(string name)
    {
        ContinuousDistribution d = name switch
        {
            "Normal" => new Normal(1.5f, 0.7f),
            "Exponential" => new Exponential(2f),
            "Beta(2, 5)" => new Beta(2f, 5f),
            _ => new Uniform(-1f, 3f),
        };
        var (a, b) = name switch
        {
            "Normal" => (double.NegativeInfinity, double.PositiveInfinity),
            "Exponential" => (0.0, double.PositiveInfinity),
            "Beta(2, 5)" => (0.0, 1.0),
            _ => (-1.0, 3.0),
        };
        double Pdf(double x) => d.Pdf(Tensor.Scalar((float)x)).Item();
        // The densities are evaluated in float32, so 1e-5 is as close as the integral can get.
        Near(1, Calculus.Integrate(Pdf, a, b, tolerance: 1e-7), 1e-5, name + " ∫p");
        Near(d.Mean.Item(), Calculus.Integrate(x => x * Pdf(x), a, b, tolerance: 1e-7), 1e-5, name + " ∫x·p");
    }

    [Fact]
    public void Integration_refuses_non_finite_integrands()
    {
        Assert.Contains("returned", Assert.Throws<ArgumentException>(() => Calculus.Integrate(x => 1 / x, 0, 1)).Message);
        Assert.Throws<ArgumentException>(() => Calculus.Integrate(Math.Sin, 0, 1, tolerance: 0));
    }

    [Fact]
    public void Gradcheck_passes_correct_gradients_and_flags_wrong_ones()
    {
        var x = Tensor.Randn([3, 4], new Generator(8));
        var w = Tensor.Randn([4, 2], new Generator(9));
        var good = GradCheck.Check(xs => (xs[0].MatMul(xs[1]).Tanh() * 2f).Exp(), [x, w]);
        Assert.True(good.Passed, good.ToString());
        Assert.Equal(20, good.Checked);
        Assert.True(good.MaxAbsError < 1e-2);

        // Σ x·stop_gradient(x): autograd sees d/dxᵢ = xᵢ, the function's true derivative is 2xᵢ.
        var bad = GradCheck.Check(xs => (xs[0] * xs[0].Detach()).Sum(), [Tensor.FromArray(1f, 2f, -3f)]);
        Assert.False(bad.Passed);
        Assert.Equal(3, bad.Failures);
        Assert.Contains("input 0 [2]", bad.Worst); // |x| largest at -3: the largest miss
        Near(0.5, bad.MaxRelError, 1e-3, "|x - 2x|/|2x|");
    }

    [Fact]
    public void Gradcheck_checks_modules_by_parameter_name_and_restores_them()
    {
        var layer = new Linear(4, 3, generator: new Generator(1));
        var before = layer.Weight.ToArray();
        var input = Tensor.Randn([5, 4], new Generator(2));
        var report = GradCheck.Check(new Sequential(layer, new Tanh()), input);
        Assert.True(report.Passed, report.ToString());
        Assert.Equal(12 + 3 + 20, report.Checked);
        Assert.Equal(before, layer.Weight.ToArray());
        Assert.Null(layer.Weight.Grad); // the check does not touch .Grad

        var broken = GradCheck.Check(new DetachedSquare(new Linear(2, 2, generator: new Generator(4))), Tensor.Randn([3, 2], new Generator(5)), checkInput: false);
        Assert.False(broken.Passed);
        Assert.Contains("layer.", broken.Worst);
        var sampled = GradCheck.Check(new Linear(30, 30), Tensor.Randn([2, 30], new Generator(6)), checkInput: false, maxElementsPerTensor: 10);
        Assert.Equal(20, sampled.Checked);
    }

    /// <summary>y = (Wx + b)·stop_gradient(Wx + b): a module whose autograd gradient is half the true one.</summary>
    private sealed class DetachedSquare : Module
    {
        private readonly Linear _layer;

        public DetachedSquare(Linear layer) => _layer = Add("layer", layer);

        protected override Tensor Compute(Tensor input)
        {
            var y = _layer.Forward(input);
            return y * y.Detach();
        }
    }
}
