namespace Nabla.Tests.Optim;

/// <summary>
/// Plain double-precision implementations of each update rule, written from the papers' and PyTorch's
/// documented formulas one element at a time, sharing nothing with Nabla.Optim.
/// </summary>
internal abstract class ReferenceOptimizer
{
    protected int T;

    /// <summary>Updates <paramref name="w"/> in place from the gradient <paramref name="g"/>.</summary>
    public void Step(double[] w, double[] g)
    {
        T++;
        for (var i = 0; i < w.Length; i++) w[i] = Update(i, w[i], g[i]);
    }

    protected abstract double Update(int i, double w, double g);

    protected static double[] Zeros() => new double[8];
}

internal sealed class ReferenceSgd(double lr, double momentum = 0, double dampening = 0, bool nesterov = false, double weightDecay = 0, double l1 = 0) : ReferenceOptimizer
{
    private readonly double[] _b = Zeros();

    protected override double Update(int i, double w, double g)
    {
        var d = g + weightDecay * w + l1 * Math.Sign(w);
        if (momentum != 0)
        {
            _b[i] = T == 1 ? d : momentum * _b[i] + (1 - dampening) * d;
            d = nesterov ? d + momentum * _b[i] : _b[i];
        }
        return w - lr * d;
    }
}

internal sealed class ReferenceAdagrad(double lr, double lrDecay = 0, double weightDecay = 0, double initialAccumulator = 0, double eps = 1e-10) : ReferenceOptimizer
{
    private double[]? _sum;

    protected override double Update(int i, double w, double g)
    {
        _sum ??= Enumerable.Repeat(initialAccumulator, 8).ToArray();
        var d = g + weightDecay * w;
        _sum[i] += d * d;
        var clr = lr / (1 + (T - 1) * lrDecay);
        return w - clr * d / (Math.Sqrt(_sum[i]) + eps);
    }
}

internal sealed class ReferenceRmsProp(double lr, double alpha = 0.99, double eps = 1e-8, double weightDecay = 0, double momentum = 0, bool centered = false) : ReferenceOptimizer
{
    private readonly double[] _v = Zeros(), _m = Zeros(), _b = Zeros();

    protected override double Update(int i, double w, double g)
    {
        var d = g + weightDecay * w;
        _v[i] = alpha * _v[i] + (1 - alpha) * d * d;
        double denominator;
        if (centered)
        {
            _m[i] = alpha * _m[i] + (1 - alpha) * d;
            denominator = Math.Sqrt(_v[i] - _m[i] * _m[i]) + eps;
        }
        else
        {
            denominator = Math.Sqrt(_v[i]) + eps;
        }
        if (momentum > 0)
        {
            _b[i] = momentum * _b[i] + d / denominator;
            return w - lr * _b[i];
        }
        return w - lr * d / denominator;
    }
}

internal sealed class ReferenceAdam(double lr, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0, bool amsgrad = false, bool decoupled = false) : ReferenceOptimizer
{
    private readonly double[] _m = Zeros(), _v = Zeros(), _vMax = Zeros();

    /// <summary>True once the amsgrad maximum differed from the current second moment (so the variant was exercised).</summary>
    public bool MaximumMattered { get; private set; }

    protected override double Update(int i, double w, double g)
    {
        if (decoupled) w *= 1 - lr * weightDecay;
        else g += weightDecay * w;
        _m[i] = beta1 * _m[i] + (1 - beta1) * g;
        _v[i] = beta2 * _v[i] + (1 - beta2) * g * g;
        var mHat = _m[i] / (1 - Math.Pow(beta1, T));
        var v = _v[i];
        if (amsgrad)
        {
            _vMax[i] = Math.Max(_vMax[i], _v[i]);
            if (_vMax[i] != _v[i]) MaximumMattered = true;
            v = _vMax[i];
        }
        var vHat = v / (1 - Math.Pow(beta2, T));
        return w - lr * mHat / (Math.Sqrt(vHat) + eps);
    }
}

internal sealed class ReferenceAdamax(double lr, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0) : ReferenceOptimizer
{
    private readonly double[] _m = Zeros(), _u = Zeros();

    protected override double Update(int i, double w, double g)
    {
        g += weightDecay * w;
        _m[i] = beta1 * _m[i] + (1 - beta1) * g;
        _u[i] = Math.Max(beta2 * _u[i], Math.Abs(g) + eps);
        return w - lr / (1 - Math.Pow(beta1, T)) * _m[i] / _u[i];
    }
}

internal sealed class ReferenceNAdam(double lr, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0, double momentumDecay = 0.004, bool decoupled = false) : ReferenceOptimizer
{
    private readonly double[] _m = Zeros(), _v = Zeros();

    private double Mu(int t) => beta1 * (1 - 0.5 * Math.Pow(0.96, t * momentumDecay));

    private double MuProduct(int t)
    {
        var p = 1.0;
        for (var k = 1; k <= t; k++) p *= Mu(k);
        return p;
    }

    protected override double Update(int i, double w, double g)
    {
        if (decoupled) w *= 1 - lr * weightDecay;
        else g += weightDecay * w;
        _m[i] = beta1 * _m[i] + (1 - beta1) * g;
        _v[i] = beta2 * _v[i] + (1 - beta2) * g * g;
        var mHat = Mu(T + 1) * _m[i] / (1 - MuProduct(T + 1)) + (1 - Mu(T)) * g / (1 - MuProduct(T));
        var vHat = _v[i] / (1 - Math.Pow(beta2, T));
        return w - lr * mHat / (Math.Sqrt(vHat) + eps);
    }
}
