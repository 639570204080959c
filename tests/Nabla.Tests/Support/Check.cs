namespace Nabla.Tests.Support;

/// <summary>Assertions on tensors against reference values and against central finite differences.</summary>
public static class Check
{
    public static void Close(NdArray expected, Tensor actual, double rtol = 1e-4, double atol = 1e-5, string context = "")
    {
        Assert.True(expected.Shape.SequenceEqual(actual.Shape.ToArray()),
            $"{context}: shape {actual.Shape} but the reference has {Shape.Format(expected.Shape)}");
        var got = actual.ToArray();
        for (var i = 0; i < got.Length; i++)
        {
            var e = expected.Data[i];
            if (double.IsNaN(e) && float.IsNaN(got[i])) continue;
            if (double.IsInfinity(e) || float.IsInfinity(got[i]))
            {
                Assert.True(e == got[i], $"{context}: element {i} is {got[i]} but the reference gives {e}");
                continue;
            }
            Assert.True(Math.Abs(e - got[i]) <= atol + rtol * Math.Abs(e),
                $"{context}: element {i} is {got[i]} but the reference gives {e}");
        }
    }

    public static void Close(float[] expected, Tensor actual, double rtol = 1e-5, double atol = 1e-6, string context = "") =>
        Close(new NdArray(Array.ConvertAll(expected, v => (double)v), actual.Shape.ToArray()), actual, rtol, atol, context);

    /// <summary>
    /// Compares autograd's gradient of L = Σ w·f(inputs) (w fixed random weights, so every output
    /// position counts differently) with central differences of L evaluated in double precision.
    /// </summary>
    public static void Gradients(Func<Tensor[], Tensor> f, Tensor[] inputs, string context = "", double eps = 1e-2, double tol = 1e-2)
    {
        var leaves = inputs.Select(x => { var l = x.Detach().Clone(); l.RequiresGrad = true; return l; }).ToArray();
        var output = f(leaves);
        var weights = Tensor.Rand(output.Shape.ToArray(), new Generator(1234)) + 0.5f;
        (output * weights).Sum().Backward();
        var w = weights.ToArray();

        double Loss(Tensor[] xs)
        {
            using var _ = Autograd.NoGrad();
            var y = f(xs).ToArray();
            double s = 0;
            for (var i = 0; i < y.Length; i++) s += (double)y[i] * w[i];
            return s;
        }

        for (var k = 0; k < leaves.Length; k++)
        {
            var analytic = leaves[k].Grad?.ToArray() ?? new float[leaves[k].Count];
            var values = leaves[k].ToArray();
            for (var i = 0; i < values.Length; i++)
            {
                var plus = (float[])values.Clone();
                var minus = (float[])values.Clone();
                var h = eps * Math.Max(1.0, Math.Abs(values[i]));
                plus[i] = (float)(values[i] + h);
                minus[i] = (float)(values[i] - h);
                var step = (double)plus[i] - minus[i];
                var xsPlus = leaves.Select(l => l.Detach()).ToArray();
                var xsMinus = leaves.Select(l => l.Detach()).ToArray();
                xsPlus[k] = Tensor.FromArray(plus, leaves[k].Shape.ToArray());
                xsMinus[k] = Tensor.FromArray(minus, leaves[k].Shape.ToArray());
                var numeric = (Loss(xsPlus) - Loss(xsMinus)) / step;
                Assert.True(Math.Abs(numeric - analytic[i]) <= tol * (1 + Math.Abs(numeric)),
                    $"{context}: d/d(input {k})[{i}] is {analytic[i]} by autograd but {numeric:G6} by central differences");
            }
        }
    }
}
