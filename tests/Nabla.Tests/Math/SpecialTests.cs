using Nabla.Mathematics;
using Nabla.Tests.Support;
using static Nabla.Tests.MathTests.MathAssert;

namespace Nabla.Tests.MathTests;

public class SpecialTests
{
    private const double EulerGamma = 0.5772156649015329;

    // Γ(1/2) = √π, Γ(5) = 4! = 24, Γ(-1/2) = -2√π, Γ(1) = 1; ψ(1) = -γ, ψ(1/2) = -γ - 2 ln 2, ψ(n + 1) = H_n - γ;
    // ψ₁(1) = π²/6, ψ₁(1/2) = π²/2, ψ₁(-1/2) = ψ₁(1/2) + 1/(1/2)² (recurrence): standard tables (Abramowitz & Stegun 6.1, 6.3, 6.4).
    public static TheoryData<string, double, double> Values() => new()
    {
        { "lgamma", 0.5, 0.5 * Math.Log(Math.PI) },
        { "lgamma", 5, Math.Log(24) },
        { "lgamma", 1, 0 },
        { "lgamma", -0.5, Math.Log(2 * Math.Sqrt(Math.PI)) },
        { "lgamma", 100, Enumerable.Range(1, 99).Sum(k => Math.Log(k)) }, // ln 99!
        { "digamma", 1, -EulerGamma },
        { "digamma", 0.5, -EulerGamma - 2 * Math.Log(2) },
        { "digamma", 5, 1 + 0.5 + 1.0 / 3 + 0.25 - EulerGamma },
        { "digamma", -0.5, -EulerGamma - 2 * Math.Log(2) + 2 }, // ψ(x + 1) = ψ(x) + 1/x
        { "trigamma", 1, Math.PI * Math.PI / 6 },
        { "trigamma", 0.5, Math.PI * Math.PI / 2 },
        { "trigamma", -0.5, Math.PI * Math.PI / 2 + 4 },
        { "trigamma", 3, Math.PI * Math.PI / 6 - 1 - 0.25 },
        { "trigamma", 20, Math.PI * Math.PI / 6 - Enumerable.Range(1, 19).Sum(k => 1.0 / (k * k)) },
    };

    [Theory]
    [MemberData(nameof(Values))]
    public void Special_functions_match_tabulated_values(string function, double x, double expected)
    {
        var actual = function switch
        {
            "lgamma" => Special.LogGamma(x),
            "digamma" => Special.Digamma(x),
            _ => Special.Trigamma(x),
        };
        Near(expected, actual, 1e-12 * Math.Max(1, Math.Abs(expected)), $"{function}({x})");
    }

    [Fact]
    public void Poles_are_infinite_or_nan_not_silent_numbers()
    {
        Assert.Equal(double.PositiveInfinity, Special.LogGamma(0));
        Assert.Equal(double.PositiveInfinity, Special.LogGamma(-3));
        Assert.True(double.IsNaN(Special.Digamma(-2)));
        Near(Math.Log(1.0 / 12), Special.LogBeta(2, 3), 1e-12, "ln B(2, 3) = ln(1!·2!/4!)");
    }

    [Fact]
    public void Tensor_forms_are_elementwise_and_differentiable()
    {
        var x = Tensor.FromArray(0.5f, 1f, 5f);
        Check.Close([(float)(0.5 * Math.Log(Math.PI)), 0f, (float)Math.Log(24)], Special.LogGamma(x), 1e-6, 1e-6);
        Check.Gradients(xs => Special.LogGamma(xs[0]), [Tensor.FromArray(0.7f, 2.5f, 6f)], "lgamma", eps: 1e-3);
        Check.Gradients(xs => Special.Digamma(xs[0]), [Tensor.FromArray(0.7f, 2.5f, 6f)], "digamma", eps: 1e-3);
        Check.Gradients(xs => Special.LogBeta(xs[0], xs[1]), [Tensor.FromArray(0.7f, 2.5f), Tensor.FromArray(3f, 1.5f)], "lbeta", eps: 1e-3);
        Check.Gradients(xs => Special.Xlogy(xs[0], xs[1]), [Tensor.FromArray(0.7f, 0f, 2f), Tensor.FromArray(3f, 0.5f, 1.5f)], "xlogy");
    }

    [Fact]
    public void Xlogy_is_zero_at_the_origin_with_finite_gradients()
    {
        Assert.Equal(float.NegativeInfinity, Special.Xlogy(Tensor.Scalar(2f), Tensor.Scalar(0f)).Item());
        var x = Tensor.FromArray(0f, 0f).RequireGrad();
        var y = Tensor.FromArray(0f, 3f).RequireGrad();
        var z = Special.Xlogy(x, y);
        Assert.Equal([0f, 0f], z.ToArray());
        z.Sum().Backward();
        Assert.Equal([0f, (float)Math.Log(3)], x.Grad!.ToArray()); // d(x ln y)/dx = ln y where y > 0
        Assert.Equal([0f, 0f], y.Grad!.ToArray());
    }
}
