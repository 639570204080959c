namespace Nabla.Mathematics;

/// <summary>Which matrix norm <see cref="Linalg.MatrixNorm"/> computes.</summary>
public enum MatrixNormKind
{
    /// <summary>‖A‖_F = √(Σ aᵢⱼ²) = √(Σ σᵢ²).</summary>
    Frobenius,

    /// <summary>‖A‖₂ = σmax, the largest singular value (the operator 2-norm).</summary>
    Spectral,

    /// <summary>‖A‖_* = Σ σᵢ, the sum of singular values (trace norm).</summary>
    Nuclear,

    /// <summary>‖A‖₁ = maxⱼ Σᵢ |aᵢⱼ|, the largest absolute column sum.</summary>
    One,

    /// <summary>‖A‖_∞ = maxᵢ Σⱼ |aᵢⱼ|, the largest absolute row sum.</summary>
    Infinity,
}

public static partial class Linalg
{
    /// <summary>
    /// Vector p-norm (Σ|x|^p)^(1/p) over <paramref name="axes"/> (all when null); p = +∞ is max |x|.
    /// Differentiable (same as <see cref="Tensor.Norm"/>).
    /// </summary>
    public static Tensor VectorNorm(Tensor x, float p = 2f, int[]? axes = null, bool keepDims = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        return x.Norm(p, axes, keepDims);
    }

    /// <summary>
    /// Matrix norm over the last two axes: [..., M, N] -> [...]. All kinds are differentiable: Frobenius, One and
    /// Infinity by composition; Spectral (dA = u₁v₁ᵀ) and Nuclear (dA = U_r·V_rᵀ over the rank-r part) through the SVD.
    /// </summary>
    public static Tensor MatrixNorm(Tensor a, MatrixNormKind kind = MatrixNormKind.Frobenius)
    {
        RequireMatrix(a, "Linalg.MatrixNorm");
        return kind switch
        {
            MatrixNormKind.Frobenius => a.Norm(2f, [-2, -1]),
            MatrixNormKind.One => a.Abs().Sum(-2).Max(-1),
            MatrixNormKind.Infinity => a.Abs().Sum(-1).Max(-1),
            MatrixNormKind.Spectral => SingularValueNormNode.Apply(a, nuclear: false),
            MatrixNormKind.Nuclear => SingularValueNormNode.Apply(a, nuclear: true),
            _ => throw new ArgumentException($"Linalg.MatrixNorm: unknown norm kind {kind}."),
        };
    }
}
