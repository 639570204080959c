namespace Nabla.Tests.NN.Losses;

/// <summary>
/// Plain double-precision reference losses, written from the textbook / PyTorch definitions with loops over
/// flat arrays (nothing shared with the library). Each returns the unreduced losses.
/// </summary>
internal static class LossReference
{
    public static double[] D(Tensor t) => Array.ConvertAll(t.ToArray(), v => (double)v);

    public static double[] Elementwise(Tensor a, Tensor b, Func<double, double, double> f)
    {
        var x = D(a);
        var y = D(b);
        return x.Select((v, i) => f(v, y[i])).ToArray();
    }

    public static double Huber(double d, double delta) => Math.Abs(d) < delta ? 0.5 * d * d : delta * (Math.Abs(d) - 0.5 * delta);

    public static double SmoothL1(double d, double beta) => beta == 0 ? Math.Abs(d) : Math.Abs(d) < beta ? 0.5 * d * d / beta : Math.Abs(d) - 0.5 * beta;

    public static double Bce(double p, double t) =>
        -(t * Math.Max(Math.Log(p), -100) + (1 - t) * Math.Max(Math.Log(1 - p), -100));

    /// <summary>-[pw·t·log σ(x) + (1 - t)·log(1 - σ(x))], with log σ written as -log(1 + e^-x) in doubles.</summary>
    public static double BceWithLogits(double x, double t, double posWeight = 1) =>
        posWeight * t * Math.Log(1 + Math.Exp(-x)) + (1 - t) * Math.Log(1 + Math.Exp(x));

    /// <summary>Log-softmax over axis 1 of [N, C, S] data, in doubles.</summary>
    public static double[] LogSoftmax(double[] x, int n, int c, int s)
    {
        var y = new double[x.Length];
        for (var i = 0; i < n; i++)
        {
            for (var k = 0; k < s; k++)
            {
                var max = double.NegativeInfinity;
                for (var j = 0; j < c; j++) max = Math.Max(max, x[(i * c + j) * s + k]);
                var sum = 0.0;
                for (var j = 0; j < c; j++) sum += Math.Exp(x[(i * c + j) * s + k] - max);
                for (var j = 0; j < c; j++) y[(i * c + j) * s + k] = x[(i * c + j) * s + k] - max - Math.Log(sum);
            }
        }
        return y;
    }

    /// <summary>
    /// NLL with class-index targets on log-probabilities [N, C, S], per PyTorch: returns the unreduced losses [N·S] and
    /// the Mean (sum over Σ w[y] of the counted positions).
    /// </summary>
    public static (double[] Losses, double Mean) Nll(double[] logp, double[] target, int n, int c, int s,
        double[]? weight = null, int? ignoreIndex = null, double smoothing = 0)
    {
        var losses = new double[n * s];
        var totalWeight = 0.0;
        for (var i = 0; i < n; i++)
        {
            for (var k = 0; k < s; k++)
            {
                var y = (int)target[i * s + k];
                if (y == ignoreIndex) continue;
                var wy = weight?[y] ?? 1;
                totalWeight += wy;
                var smooth = 0.0;
                for (var j = 0; j < c; j++) smooth -= (weight?[j] ?? 1) * logp[(i * c + j) * s + k];
                losses[i * s + k] = (1 - smoothing) * -wy * logp[(i * c + y) * s + k] + smoothing / c * smooth;
            }
        }
        return (losses, losses.Sum() / totalWeight);
    }

    /// <summary>Cross-entropy with probability targets q [N, C]: -Σ_c w[c]·q'[c]·log p[c], q' = (1-ε)q + ε/C.</summary>
    public static double[] SoftNll(double[] logp, double[] q, int n, int c, double[]? weight = null, double smoothing = 0)
    {
        var losses = new double[n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < c; j++)
            {
                var qs = (1 - smoothing) * q[i * c + j] + smoothing / c;
                losses[i] -= (weight?[j] ?? 1) * qs * logp[i * c + j];
            }
        }
        return losses;
    }

    public static double KlDiv(double input, double target, bool logTarget) =>
        logTarget ? Math.Exp(target) * (target - input) : target == 0 ? 0 : target * (Math.Log(target) - input);

    /// <summary>Row-wise ‖x - y + eps‖_p of [N, D] data.</summary>
    public static double[] Distance(double[] x, double[] y, int n, int d, double p, double eps)
    {
        var result = new double[n];
        for (var i = 0; i < n; i++)
        {
            var sum = 0.0;
            for (var j = 0; j < d; j++) sum += Math.Pow(Math.Abs(x[i * d + j] - y[i * d + j] + eps), p);
            result[i] = Math.Pow(sum, 1 / p);
        }
        return result;
    }

    public static double[] Triplet(Tensor anchor, Tensor positive, Tensor negative, double margin, double p, double eps, bool swap)
    {
        var (n, d) = (anchor.Shape[0], anchor.Shape[1]);
        var (a, pos, neg) = (D(anchor), D(positive), D(negative));
        var dp = Distance(a, pos, n, d, p, eps);
        var dn = Distance(a, neg, n, d, p, eps);
        var ds = Distance(pos, neg, n, d, p, eps);
        return Enumerable.Range(0, n).Select(i => Math.Max(dp[i] - (swap ? Math.Min(dn[i], ds[i]) : dn[i]) + margin, 0)).ToArray();
    }

    public static double[] CosineEmbedding(Tensor input1, Tensor input2, Tensor target, double margin)
    {
        var (n, d) = (input1.Shape[0], input1.Shape[1]);
        var (x, y, t) = (D(input1), D(input2), D(target));
        var result = new double[n];
        for (var i = 0; i < n; i++)
        {
            double dot = 0, xx = 0, yy = 0;
            for (var j = 0; j < d; j++)
            {
                dot += x[i * d + j] * y[i * d + j];
                xx += x[i * d + j] * x[i * d + j];
                yy += y[i * d + j] * y[i * d + j];
            }
            var cos = dot / Math.Sqrt(xx * yy);
            result[i] = t[i] == 1 ? 1 - cos : Math.Max(0, cos - margin);
        }
        return result;
    }
}
