namespace Nabla.Optim;

/// <summary>
/// Rescales or limits parameter gradients in place between <c>Backward</c> and the optimizer's <c>Step</c>,
/// against exploding gradients. Parameters without a gradient are ignored.
/// </summary>
public static class GradientClipping
{
    /// <summary>
    /// Computes the norm of all gradients taken together, ‖(g₁, g₂, ...)‖ₚ = (Σᵢ Σ|gᵢ|ᵖ)^(1/p) (p = ∞: the
    /// largest |g|), and when it exceeds <paramref name="maxNorm"/> multiplies every gradient by
    /// maxNorm / (norm + 1e-6), as PyTorch's clip_grad_norm_ does. Returns the norm before clipping, to log.
    /// A non-finite norm (an overflowed or NaN gradient) is returned without touching the gradients, so the
    /// caller can skip the step.
    /// </summary>
    public static float ClipByGlobalNorm(IEnumerable<Tensor> parameters, float maxNorm, float normType = 2f)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(maxNorm >= 0f)) throw new ArgumentOutOfRangeException(nameof(maxNorm), $"ClipByGlobalNorm: maxNorm must be >= 0; got {maxNorm}.");
        if (!(normType > 0f)) throw new ArgumentOutOfRangeException(nameof(normType), $"ClipByGlobalNorm: normType must be positive (2 for the Euclidean norm, float.PositiveInfinity for the max); got {normType}.");
        var grads = Gradients(parameters);
        if (grads.Count == 0) return 0f;
        using var noGrad = Autograd.NoGrad();
        using var scope = TensorScope.Begin();
        double total = 0;
        foreach (var g in grads)
        {
            if (float.IsPositiveInfinity(normType)) total = Math.Max(total, g.Abs().Max().Item());
            else if (normType == 1f) total += g.Abs().Sum().Item();
            else if (normType == 2f) total += (g * g).Sum().Item();
            else total += g.Abs().Pow(normType).Sum().Item();
        }
        if (!float.IsPositiveInfinity(normType) && normType != 1f) total = Math.Pow(total, 1.0 / normType);
        var norm = (float)total;
        if (!float.IsFinite(norm)) return norm;
        var coefficient = maxNorm / (total + 1e-6);
        if (coefficient < 1.0)
        {
            foreach (var g in grads) g.MulInPlace((float)coefficient);
        }
        return norm;
    }

    /// <summary>Limits every gradient element to [−clipValue, clipValue] in place.</summary>
    public static void ClipByValue(IEnumerable<Tensor> parameters, float clipValue)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(clipValue >= 0f)) throw new ArgumentOutOfRangeException(nameof(clipValue), $"ClipByValue: clipValue must be >= 0; got {clipValue}.");
        using var noGrad = Autograd.NoGrad();
        using var scope = TensorScope.Begin();
        foreach (var g in Gradients(parameters)) g.CopyFrom(g.Clamp(-clipValue, clipValue));
    }

    private static List<Tensor> Gradients(IEnumerable<Tensor> parameters) =>
        [.. parameters.Select(p => p.Grad).OfType<Tensor>()];
}
