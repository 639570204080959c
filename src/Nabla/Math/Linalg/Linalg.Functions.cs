using MathNet.Numerics.LinearAlgebra;

namespace Nabla.Mathematics;

public static partial class Linalg
{
    /// <summary>
    /// Aⁿ for an integer n by repeated squaring: [..., N, N] -> [..., N, N]. A⁰ is the identity and a negative n
    /// raises the inverse (which throws for singular A). Differentiable by composition of MatMul (and Inverse).
    /// </summary>
    public static Tensor MatrixPower(Tensor a, int n)
    {
        RequireMatrix(a, "Linalg.MatrixPower");
        var size = a.Shape[-1];
        if (a.Shape[-2] != size) throw new ArgumentException($"Linalg.MatrixPower: expected square matrices [..., N, N]; got shape {a.Shape}.");
        if (n == 0) return Tensor.Eye(size).Expand(a.Shape.ToArray()).Contiguous();
        if (n < 0) return MatrixPower(Inverse(a), n == int.MinValue ? throw new ArgumentException("Linalg.MatrixPower: exponent out of range.") : -n);
        Tensor? result = null;
        var square = a;
        for (var e = n; e > 0; e >>= 1)
        {
            if ((e & 1) == 1) result = result is null ? square : result.MatMul(square);
            if (e > 1) square = square.MatMul(square);
        }
        return result!;
    }

    /// <summary>
    /// Matrix exponential exp(A) = Σ Aᵏ/k!: [..., N, N] -> [..., N, N], by scaling and squaring in double precision:
    /// exp(A) = exp(A/2ˢ)^(2ˢ) with ‖A/2ˢ‖₁ ≤ 1/2, where a degree-18 Taylor polynomial is exact to rounding.
    /// Not differentiable. Throws when the result overflows float32.
    /// </summary>
    public static Tensor MatrixExp(Tensor a)
    {
        var (batch, matrices) = MatrixBatch.Read(a, "Linalg.MatrixExp", square: true);
        var n = a.Shape[-1];
        var results = new Matrix<double>[matrices.Length];
        for (var b = 0; b < matrices.Length; b++)
        {
            results[b] = ExpOf(matrices[b]);
            if (results[b].Enumerate().Any(v => !(Math.Abs(v) <= float.MaxValue)))
            {
                throw new ArgumentException($"Linalg.MatrixExp: exp of the matrix{MatrixBatch.Where(batch, b)} (1-norm {matrices[b].L1Norm():G4}) overflows float32.");
            }
        }
        return MatrixBatch.Write(batch, results, n, n);
    }

    private static Matrix<double> ExpOf(Matrix<double> a)
    {
        var norm = a.L1Norm();
        var squarings = norm > 0.5 ? (int)Math.Ceiling(Math.Log2(norm / 0.5)) : 0;
        var scaled = a / Math.Pow(2, squarings);
        var identity = Matrix<double>.Build.DenseIdentity(a.RowCount);
        // Horner form of Σ_{k≤18} Xᵏ/k!: I + X(I + X/2(I + X/3(...))).
        var result = identity.Clone();
        for (var k = 18; k >= 1; k--) result = identity + scaled * result / k;
        for (var i = 0; i < squarings; i++) result *= result;
        return result;
    }
}
