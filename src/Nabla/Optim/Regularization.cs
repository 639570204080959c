namespace Nabla.Optim;

/// <summary>
/// Penalty terms to add to a loss; they are ordinary differentiable tensors, so their gradients
/// reach the parameters through <c>Backward</c>:
/// <code>
/// var loss = dataLoss + Regularization.L2(model.Parameters(), 1e-4f);
/// </code>
/// Weight decay in an optimizer is the other way to get L2: PyTorch's <c>weight_decay</c> λ adds λ·w to
/// each gradient, which is the gradient of an L2 penalty of λ/2·Σw², i.e. <c>L2(parameters, λ / 2)</c>.
/// </summary>
public static class Regularization
{
    /// <summary>strength·Σ|w| over every element of every parameter (a scalar); gradient strength·sign(w).</summary>
    public static Tensor L1(IEnumerable<Tensor> parameters, float strength) =>
        Penalty(parameters, strength, "L1", w => w.Abs().Sum());

    /// <summary>strength·Σw² over every element of every parameter (a scalar); gradient 2·strength·w.</summary>
    public static Tensor L2(IEnumerable<Tensor> parameters, float strength) =>
        Penalty(parameters, strength, "L2", w => (w * w).Sum());

    private static Tensor Penalty(IEnumerable<Tensor> parameters, float strength, string name, Func<Tensor, Tensor> term)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(strength >= 0f) || float.IsInfinity(strength))
        {
            throw new ArgumentOutOfRangeException(nameof(strength), $"Regularization.{name}: strength must be a finite number >= 0; got {strength}.");
        }
        Tensor? total = null;
        foreach (var w in parameters)
        {
            var t = term(w);
            total = total is null ? t : total + t;
        }
        return (total ?? Tensor.Scalar(0f)) * strength;
    }
}
