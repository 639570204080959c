namespace Nabla.Mathematics;

/// <summary>
/// Numerical calculus for user functions: derivatives and gradients by central differences, and definite
/// integrals by adaptive Simpson quadrature (infinite limits allowed). Every result is checked to be finite.
/// </summary>
public static class Calculus
{
    /// <summary>
    /// f'(x) by central differences D(h) = (f(x + h) - f(x - h))/2h with one Richardson step (4D(h/2) - D(h))/3,
    /// which cancels the h² error term; h defaults to 10⁻³·max(1, |x|), giving about 12 correct digits for smooth f.
    /// </summary>
    public static double Derivative(Func<double, double> f, double x, double? step = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        var h = Step(step, x, 1e-3, "Derivative");
        double D(double s) => (Eval(f, x + s, "Derivative") - Eval(f, x - s, "Derivative")) / (2 * s);
        return (4 * D(h / 2) - D(h)) / 3;
    }

    /// <summary>f''(x) ≈ (f(x + h) - 2f(x) + f(x - h))/h², h defaults to 10⁻⁴·max(1, |x|) (error O(h²) + O(ε/h²)).</summary>
    public static double SecondDerivative(Func<double, double> f, double x, double? step = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        var h = Step(step, x, 1e-4, "SecondDerivative");
        return (Eval(f, x + h, "SecondDerivative") - 2 * Eval(f, x, "SecondDerivative") + Eval(f, x - h, "SecondDerivative")) / (h * h);
    }

    /// <summary>
    /// ∇f(x) of a scalar-valued tensor function by central differences, one coordinate at a time:
    /// x [shape] -> gradient [shape]. f runs in float32, so the step defaults to 5·10⁻³·max(1, |xᵢ|)
    /// (about ε^(1/3), balancing truncation against rounding); expect 4-5 correct digits. Runs under NoGrad.
    /// </summary>
    public static Tensor Gradient(Func<Tensor, Tensor> scalarFunction, Tensor x, double? step = null)
    {
        ArgumentNullException.ThrowIfNull(scalarFunction);
        ArgumentNullException.ThrowIfNull(x);
        using var _ = Autograd.NoGrad();
        var shape = x.Shape.ToArray();
        var values = x.Detach().ToArray();
        var gradient = new float[values.Length];
        double Value(float[] point)
        {
            var y = scalarFunction(Tensor.FromArray(point, shape));
            if (y.Count != 1) throw new ArgumentException($"Calculus.Gradient: the function must return a single value; it returned shape {y.Shape}.");
            var v = (double)y.ToArray()[0];
            return double.IsFinite(v) ? v : throw new ArgumentException($"Calculus.Gradient: the function returned {v} near the point; the gradient is undefined there.");
        }
        for (var i = 0; i < values.Length; i++)
        {
            var h = (float)Step(step, values[i], 5e-3, "Gradient");
            var plus = (float[])values.Clone();
            var minus = (float[])values.Clone();
            plus[i] += h;
            minus[i] -= h;
            gradient[i] = (float)((Value(plus) - Value(minus)) / ((double)plus[i] - minus[i])); // the step actually taken in float32
        }
        return Tensor.FromArray(gradient, shape);
    }

    /// <summary>∇f(x) of a function of several doubles by Richardson-extrapolated central differences (see <see cref="Derivative"/>).</summary>
    public static double[] Gradient(Func<double[], double> f, double[] x, double? step = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(x);
        var gradient = new double[x.Length];
        for (var i = 0; i < x.Length; i++)
        {
            var point = (double[])x.Clone();
            var index = i;
            gradient[i] = Derivative(t =>
            {
                point[index] = t;
                return f(point);
            }, x[i], step);
        }
        return gradient;
    }

    /// <summary>
    /// ∫ₐᵇ f(x) dx by adaptive Simpson quadrature to an absolute <paramref name="tolerance"/>. Either limit may be infinite:
    /// (-∞, ∞) maps to (-1, 1) by x = t/(1 - t²) and a half-line [a, ∞) to [0, 1) by x = a + t/(1 - t), assuming f decays
    /// faster than 1/x² (true of densities with finite variance). b &lt; a gives the negated integral. Throws when f returns
    /// NaN or ±∞ (an integrable singularity at a limit can be handled by moving the limit inward) or the work limit is hit.
    /// </summary>
    public static double Integrate(Func<double, double> f, double a, double b, double tolerance = 1e-10, int maxEvaluations = 1_000_000)
    {
        ArgumentNullException.ThrowIfNull(f);
        if (double.IsNaN(a) || double.IsNaN(b)) throw new ArgumentException("Calculus.Integrate: a limit is NaN.");
        if (!(tolerance > 0)) throw new ArgumentException($"Calculus.Integrate: tolerance must be positive; got {tolerance}.");
        if (a == b) return 0;
        if (a > b) return -Integrate(f, b, a, tolerance, maxEvaluations);
        var quadrature = new AdaptiveSimpson(maxEvaluations);
        if (double.IsNegativeInfinity(a) && double.IsPositiveInfinity(b))
        {
            return quadrature.Run(t => Math.Abs(t) == 1 ? 0 : Eval(f, t / (1 - t * t), "Integrate") * (1 + t * t) / ((1 - t * t) * (1 - t * t)), -1, 1, tolerance);
        }
        if (double.IsPositiveInfinity(b))
        {
            return quadrature.Run(t => t == 1 ? 0 : Eval(f, a + t / (1 - t), "Integrate") / ((1 - t) * (1 - t)), 0, 1, tolerance);
        }
        if (double.IsNegativeInfinity(a))
        {
            return quadrature.Run(t => t == 1 ? 0 : Eval(f, b - t / (1 - t), "Integrate") / ((1 - t) * (1 - t)), 0, 1, tolerance);
        }
        return quadrature.Run(x => Eval(f, x, "Integrate"), a, b, tolerance);
    }

    private static double Step(double? step, double x, double relative, string op)
    {
        if (step is { } s) return s > 0 && double.IsFinite(s) ? s : throw new ArgumentException($"Calculus.{op}: step must be positive and finite; got {s}.");
        if (!double.IsFinite(x)) throw new ArgumentException($"Calculus.{op}: the point must be finite; got {x}.");
        return relative * Math.Max(1, Math.Abs(x));
    }

    private static double Eval(Func<double, double> f, double x, string op)
    {
        var y = f(x);
        return double.IsFinite(y) ? y : throw new ArgumentException($"Calculus.{op}: the function returned {y} at x = {x:G17}.");
    }

    /// <summary>
    /// Lyness's adaptive Simpson rule: accept a panel when the two half-panel estimates agree with the whole to 15·tol
    /// (then add the Richardson correction), otherwise split it and halve the tolerance. The first few levels are
    /// always split so a narrow peak between the initial nodes is not missed.
    /// </summary>
    private sealed class AdaptiveSimpson(int maxEvaluations)
    {
        private const int MinimumDepth = 5;
        private const int MaximumDepth = 60;
        private int _evaluations;

        public double Run(Func<double, double> f, double a, double b, double tolerance)
        {
            var fa = Count(f, a);
            var fb = Count(f, b);
            var m = (a + b) / 2;
            var fm = Count(f, m);
            return Panel(f, a, b, fa, fm, fb, Simpson(a, b, fa, fm, fb), tolerance, 0);
        }

        private double Panel(Func<double, double> f, double a, double b, double fa, double fm, double fb, double whole, double tolerance, int depth)
        {
            var m = (a + b) / 2;
            var (lm, rm) = ((a + m) / 2, (m + b) / 2);
            var flm = Count(f, lm);
            var frm = Count(f, rm);
            var left = Simpson(a, m, fa, flm, fm);
            var right = Simpson(m, b, fm, frm, fb);
            var delta = left + right - whole;
            if (depth >= MaximumDepth || (depth >= MinimumDepth && Math.Abs(delta) <= 15 * tolerance))
            {
                return left + right + delta / 15;
            }
            return Panel(f, a, m, fa, flm, fm, left, tolerance / 2, depth + 1) + Panel(f, m, b, fm, frm, fb, right, tolerance / 2, depth + 1);
        }

        private static double Simpson(double a, double b, double fa, double fm, double fb) => (b - a) / 6 * (fa + 4 * fm + fb);

        private double Count(Func<double, double> f, double x)
        {
            if (++_evaluations > maxEvaluations)
            {
                throw new InvalidOperationException($"Calculus.Integrate: no convergence within {maxEvaluations} evaluations; loosen the tolerance or split the interval at the difficult points.");
            }
            return f(x);
        }
    }
}
