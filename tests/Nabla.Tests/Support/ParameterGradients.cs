namespace Nabla.Tests.Support;

/// <summary>
/// Gradient check for a module's own parameters: autograd's gradient of L = Σ w·f() (w fixed random
/// weights) against central differences of L, taken by perturbing one parameter element in place at a time.
/// </summary>
internal static class ParameterGradients
{
    public static void Check(Nabla.NN.Module module, Func<Tensor> f, string[] names, double eps = 1e-2, double tol = 1e-2, int maxElements = 12)
    {
        var parameters = module.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter);
        foreach (var p in parameters.Values) p.Grad = null;
        var output = f();
        var weights = Tensor.Rand(output.Shape.ToArray(), new Generator(4321)) + 0.5f;
        (output * weights).Sum().Backward();
        var w = weights.ToArray();

        double Loss()
        {
            using var _ = Autograd.NoGrad();
            var y = f().ToArray();
            double s = 0;
            for (var i = 0; i < y.Length; i++) s += (double)y[i] * w[i];
            return s;
        }

        foreach (var name in names)
        {
            var p = parameters[name];
            var analytic = p.Grad?.ToArray() ?? new float[p.Count];
            var values = p.ToArray();
            var stride = Math.Max(1, values.Length / maxElements); // a spread of elements keeps the check fast
            for (var i = 0; i < values.Length; i += stride)
            {
                var h = (float)(eps * Math.Max(1.0, Math.Abs(values[i])));
                double Perturbed(float value)
                {
                    var copy = (float[])values.Clone();
                    copy[i] = value;
                    using (Autograd.NoGrad()) p.CopyFrom(Tensor.FromArray(copy, p.Shape.ToArray()));
                    return Loss();
                }
                var plus = values[i] + h;
                var minus = values[i] - h;
                var numeric = (Perturbed(plus) - Perturbed(minus)) / ((double)plus - minus);
                using (Autograd.NoGrad()) p.CopyFrom(Tensor.FromArray(values, p.Shape.ToArray()));
                Assert.True(Math.Abs(numeric - analytic[i]) <= tol * (1 + Math.Abs(numeric)),
                    $"{name}[{i}] has gradient {analytic[i]} by autograd but {numeric:G6} by central differences");
            }
        }
    }
}
