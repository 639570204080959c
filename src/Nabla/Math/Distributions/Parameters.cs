namespace Nabla.Mathematics.Distributions;

/// <summary>Validation and broadcasting of distribution parameters and values.</summary>
internal static class Parameters
{
    public static Shape Broadcast(string dist, params Tensor[] parameters)
    {
        var shape = Shape.Scalar;
        foreach (var p in parameters)
        {
            ArgumentNullException.ThrowIfNull(p);
            shape = Shape.Broadcast(shape, p.Shape, $"{dist}: parameter shapes");
        }
        return shape;
    }

    /// <summary>Throws unless every element satisfies <paramref name="valid"/>, naming the first offender.</summary>
    public static void Require(Tensor t, Func<float, bool> valid, string dist, string name, string expected)
    {
        var values = t.Detach().ToArray();
        for (var i = 0; i < values.Length; i++)
        {
            if (!valid(values[i]))
            {
                throw new ArgumentException($"{dist}: {name} must be {expected}; got {values[i]} at flat index {i} of shape {t.Shape}.");
            }
        }
    }

    public static void Positive(Tensor t, string dist, string name) => Require(t, v => v > 0 && float.IsFinite(v), dist, name, "positive and finite");

    public static void Finite(Tensor t, string dist, string name) => Require(t, float.IsFinite, dist, name, "finite");

    public static void Probability(Tensor t, string dist, string name) => Require(t, v => v is >= 0 and <= 1, dist, name, "a probability in [0, 1]");

    public static void WholeNumber(Tensor t, string dist, string name) => Require(t, v => v >= 0 && v == MathF.Floor(v) && float.IsFinite(v), dist, name, "a whole number ≥ 0");

    /// <summary>Parameter values broadcast to <paramref name="shape"/> as doubles (row-major), for samplers.</summary>
    public static double[] Values(Tensor t, int[] shape) => Array.ConvertAll(t.Detach().Expand(shape).ToArray(), v => (double)v);

    /// <summary>Marsaglia–Tsang gamma(shape, 1) draw; shapes below 1 use Gamma(α + 1)·U^(1/α).</summary>
    public static double Gamma(double shape, Generator g)
    {
        if (shape < 1)
        {
            var u = 1.0 - g.NextDouble(); // (0, 1]
            return Gamma(shape + 1, g) * Math.Pow(u, 1 / shape);
        }
        var d = shape - 1.0 / 3;
        var c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            double x, v;
            do
            {
                x = g.NextGaussian();
                v = 1 + c * x;
            }
            while (v <= 0);
            v = v * v * v;
            var u = 1.0 - g.NextDouble();
            if (Math.Log(u) < 0.5 * x * x + d - d * v + d * Math.Log(v)) return d * v;
        }
    }

    /// <summary>
    /// Binomial(n, p) draw by inversion (walking the pmf recurrence from 0) in chunks of at most 500 trials,
    /// which keeps (1 - p)^chunk far from underflow; expected cost O(n·min(p, 1 - p)).
    /// </summary>
    public static double Binomial(long n, double p, Generator g)
    {
        if (p > 0.5) return n - Binomial(n, 1 - p, g);
        long total = 0;
        for (var left = n; left > 0; left -= 500)
        {
            var trials = Math.Min(left, 500);
            var u = g.NextDouble();
            var pmf = Math.Pow(1 - p, trials);
            var ratio = p / (1 - p);
            long k = 0;
            var cdf = pmf;
            while (u >= cdf && k < trials)
            {
                pmf *= ratio * (trials - k) / (k + 1);
                k++;
                cdf += pmf;
            }
            total += k;
        }
        return total;
    }
}
