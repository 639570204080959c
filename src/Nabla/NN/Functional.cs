namespace Nabla.NN;

/// <summary>How <see cref="Functional.Gelu"/> evaluates the Gaussian CDF.</summary>
public enum GeluApproximation { None, Tanh }

/// <summary>
/// Activations and layer computations as plain functions of tensors, composed from differentiable
/// primitives so their gradients come for free. <c>using static Nabla.NN.Functional;</c> brings them in.
/// </summary>
public static partial class Functional
{
    // ---- activations ------------------------------------------------------------------------------

    /// <summary>y = 1 where x ≥ 0, else 0. Its derivative is 0 wherever it exists, so no gradient flows (the perceptron's rule does not need one).</summary>
    public static Tensor BinaryStep(Tensor x) => x.Ge(0f);

    /// <summary>y = x.</summary>
    public static Tensor Identity(Tensor x) => x;

    /// <summary>y = 1 / (1 + e^(-x)).</summary>
    public static Tensor Sigmoid(Tensor x) => x.Sigmoid();

    /// <summary>y = tanh(x).</summary>
    public static Tensor Tanh(Tensor x) => x.Tanh();

    /// <summary>y = max(x, 0).</summary>
    public static Tensor Relu(Tensor x) => x.Relu();

    /// <summary>y = min(max(x, 0), 6).</summary>
    public static Tensor Relu6(Tensor x) => x.Clamp(0f, 6f);

    /// <summary>y = x for x &gt; 0, slope·x otherwise.</summary>
    public static Tensor LeakyRelu(Tensor x, float negativeSlope = 0.01f) => Tensor.Where(x.Gt(0f), x, x * negativeSlope);

    /// <summary>y = x for x &gt; 0, α(eˣ - 1) otherwise (Clevert et al., 2015).</summary>
    public static Tensor Elu(Tensor x, float alpha = 1f) =>
        // NOTE: exp of the clamped input, so a large positive x cannot make inf · 0 = NaN in backward.
        Tensor.Where(x.Gt(0f), x, (x.Clamp(max: 0f).Exp() - 1f) * alpha);

    /// <summary>y = λ·ELU(x, α) with the self-normalising constants of Klambauer et al. (2017).</summary>
    public static Tensor Selu(Tensor x) => Elu(x, SeluAlpha) * SeluScale;

    internal const float SeluAlpha = 1.6732632423543772f;
    internal const float SeluScale = 1.0507009873554805f;

    /// <summary>y = x·Φ(x) = ½x(1 + erf(x/√2)); the tanh form is ½x(1 + tanh(√(2/π)(x + 0.044715x³))) (Hendrycks and Gimpel, 2016).</summary>
    public static Tensor Gelu(Tensor x, GeluApproximation approximate = GeluApproximation.None)
    {
        if (approximate == GeluApproximation.Tanh)
        {
            var inner = (x + x.Pow(3f) * 0.044715f) * MathF.Sqrt(2f / MathF.PI);
            return x * 0.5f * (inner.Tanh() + 1f);
        }
        return x * 0.5f * ((x * (1f / MathF.Sqrt(2f))).Erf() + 1f);
    }

    /// <summary>y = x·sigmoid(x) (also called swish).</summary>
    public static Tensor Silu(Tensor x) => x * x.Sigmoid();

    /// <summary>y = log(1 + e^(βx)) / β, split at 0 (βx + log1p(e^(-βx)) above, log1p(e^(βx)) below) so it never overflows and dy/dx = sigmoid(βx) everywhere, ½ at 0.</summary>
    public static Tensor Softplus(Tensor x, float beta = 1f)
    {
        if (!(beta > 0f)) throw new ArgumentException($"Softplus: beta must be positive; got {beta}.");
        var bx = x * beta;
        var above = bx + (-bx.Clamp(min: 0f)).Exp().Log1p();
        var below = bx.Clamp(max: 0f).Exp().Log1p();
        return Tensor.Where(bx.Gt(0f), above, below) / beta;
    }

    /// <summary>y = clamp(x/6 + ½, 0, 1) (PyTorch's definition).</summary>
    public static Tensor HardSigmoid(Tensor x) => (x / 6f + 0.5f).Clamp(0f, 1f);

    /// <summary>y = clamp(x, min, max).</summary>
    public static Tensor HardTanh(Tensor x, float min = -1f, float max = 1f) => x.Clamp(min, max);

    /// <summary>yᵢ = e^(xᵢ) / Σⱼ e^(xⱼ) along <paramref name="axis"/>, with the maximum subtracted first so large inputs cannot overflow.</summary>
    public static Tensor Softmax(Tensor x, int axis = -1)
    {
        var shifted = x - x.Max(axis, keepDims: true).Detach();
        var e = shifted.Exp();
        return e / e.Sum(axis, keepDims: true);
    }

    /// <summary>yᵢ = xᵢ - log Σⱼ e^(xⱼ) along <paramref name="axis"/> (stable).</summary>
    public static Tensor LogSoftmax(Tensor x, int axis = -1) => x - x.LogSumExp(axis, keepDims: true);

    // ---- layers as functions ------------------------------------------------------------------------

    /// <summary>y = x·Wᵀ + b for x [..., in], W [out, in], b [out] → y [..., out].</summary>
    public static Tensor Linear(Tensor x, Tensor weight, Tensor? bias = null)
    {
        if (weight.Rank != 2) throw new ArgumentException($"Linear: weight must be [out, in]; got {weight.Shape}.");
        if (x.Rank == 0 || x.Shape[-1] != weight.Shape[1])
        {
            throw new ArgumentException($"Linear: input {x.Shape} must end in in-features {weight.Shape[1]} (weight {weight.Shape}).");
        }
        if (x.Rank == 2 && (bias is null || bias.Rank == 1 && bias.Shape[0] == weight.Shape[0])) return Ops.LinearOp.Apply(x, weight, bias);
        var y = x.MatMul(weight.T);
        return bias is null ? y : y + bias;
    }

    /// <summary>
    /// Inverted dropout: in training, zeroes each element with probability <paramref name="p"/> and scales
    /// the rest by 1/(1-p), so evaluation needs no rescaling; returns x unchanged when not training.
    /// </summary>
    public static Tensor Dropout(Tensor x, float p = 0.5f, bool training = true, Generator? generator = null) =>
        DropoutWithMask(x, p, training, x.Shape.Dims, generator);

    /// <summary>Channel dropout for [N, C, ...] inputs: whole feature maps are zeroed together (Tompson et al., 2015).</summary>
    public static Tensor Dropout2d(Tensor x, float p = 0.5f, bool training = true, Generator? generator = null)
    {
        if (x.Rank < 2) throw new ArgumentException($"Dropout2d: input must be [N, C, ...]; got {x.Shape}.");
        var maskShape = x.Shape.ToArray();
        for (var d = 2; d < maskShape.Length; d++) maskShape[d] = 1;
        return DropoutWithMask(x, p, training, maskShape, generator);
    }

    private static Tensor DropoutWithMask(Tensor x, float p, bool training, int[] maskShape, Generator? generator)
    {
        if (!(p >= 0f && p <= 1f)) throw new ArgumentException($"Dropout: p must be in [0, 1]; got {p}.");
        if (!training || p == 0f) return x;
        if (p == 1f) return x * 0f;
        var keep = Tensor.Bernoulli(1f - p, maskShape, generator);
        return x * (keep * (1f / (1f - p)));
    }
}
