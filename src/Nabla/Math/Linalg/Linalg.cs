using MathNet.Numerics.LinearAlgebra;

namespace Nabla.Mathematics;

/// <summary>
/// Linear algebra on float32 tensors holding a matrix [M, N] or a batch of them [..., M, N]
/// (the function runs on each matrix of the batch). Factorizations run in double precision with
/// MathNet.Numerics and are rounded to float32 at the end.
/// <para>
/// Differentiable: <see cref="Det"/>, <see cref="SlogDet"/> (log|det|), <see cref="LogDet"/>, <see cref="Inverse"/>,
/// <see cref="Solve"/>, <see cref="Trace"/>, <see cref="MatrixPower"/>, <see cref="VectorNorm"/> and <see cref="MatrixNorm"/>
/// (first-order for Det and the spectral and nuclear norms). The factorizations (Qr, Cholesky, Eigh, Eig, Svd),
/// LeastSquares, PseudoInverse, MatrixRank, Cond and MatrixExp return constants (tensors that do not require grad).
/// </para>
/// <para>
/// Conditioning: the inputs are float32, so a matrix counts as singular when σmin ≤ σmax·max(M, N)·ε with ε = 2⁻²³
/// (NumPy's rank rule at float32 precision: its smallest singular value is lost in the rounding of its entries).
/// <see cref="Inverse"/> and <see cref="Solve"/> throw for such matrices, naming the condition number σmax/σmin and
/// the numerical rank, instead of returning huge or non-finite values; <see cref="PseudoInverse"/> and
/// <see cref="LeastSquares"/> use the same rule to drop those directions.
/// </para>
/// </summary>
public static partial class Linalg
{
    /// <summary>det(A): [..., N, N] -> [...] · differentiable: dA = d(det)·adj(A)ᵀ (valid for singular A too).</summary>
    public static Tensor Det(Tensor a) => DetNode.Apply(a);

    /// <summary>
    /// Sign and natural log of |det(A)|: [..., N, N] -> ([...], [...]), stable where det itself would
    /// overflow or underflow. A singular matrix gives sign 0 and log|det| = -∞ (its documented result).
    /// LogAbsDet is differentiable: dA = d(log|det|)·A⁻ᵀ (which throws for singular A).
    /// </summary>
    public static (Tensor Sign, Tensor LogAbsDet) SlogDet(Tensor a) => SlogDetNode.Apply(a);

    /// <summary>log det(A) for matrices with a positive determinant (e.g. covariance matrices); throws otherwise. Differentiable.</summary>
    public static Tensor LogDet(Tensor a)
    {
        var (sign, logAbsDet) = SlogDet(a);
        var signs = sign.ToArray();
        for (var i = 0; i < signs.Length; i++)
        {
            if (signs[i] <= 0f)
            {
                throw new ArgumentException($"Linalg.LogDet: matrix {i} of the input {a.Shape} has a {(signs[i] == 0f ? "zero" : "negative")} determinant, so log det is undefined; use SlogDet for the sign and log|det|.");
            }
        }
        return logAbsDet;
    }

    /// <summary>A⁻¹: [..., N, N] -> [..., N, N]; throws for singular or ill-conditioned matrices · differentiable: dA = -A⁻ᵀ·dY·A⁻ᵀ.</summary>
    public static Tensor Inverse(Tensor a) => InverseNode.Apply(a);

    /// <summary>
    /// X with A·X = B: A [..., N, N] with B [..., N, K] -> X [..., N, K], or B [..., N] (a vector per matrix) -> X [..., N].
    /// Batch axes broadcast. Throws for mismatched shapes and for singular or ill-conditioned A ·
    /// differentiable: dB = A⁻ᵀ·dX, dA = -dB·Xᵀ.
    /// </summary>
    public static Tensor Solve(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Rank < 2 || a.Shape[-1] != a.Shape[-2])
        {
            throw new ArgumentException($"Linalg.Solve: A must be square matrices [..., N, N]; got A {a.Shape} and B {b.Shape}.");
        }
        var n = a.Shape[-1];
        var vector = b.Rank == 1 || b.Rank == a.Rank - 1;
        if (b.Rank == 0 || (vector ? b.Shape[-1] : b.Shape[-2]) != n)
        {
            throw new ArgumentException($"Linalg.Solve: A {a.Shape} needs B with {n} rows: [..., {n}, K] or [..., {n}]; got B {b.Shape}.");
        }
        var bm = vector ? b.Unsqueeze(-1) : b;
        var batch = Shape.Broadcast(Shape.Wrap(a.Shape.Dims[..^2]), Shape.Wrap(bm.Shape.Dims[..^2]), $"Linalg.Solve: A {a.Shape}, B {b.Shape}: batch axes");
        var x = SolveNode.Apply(a.Expand([.. batch.Dims, n, n]), bm.Expand([.. batch.Dims, n, bm.Shape[-1]]));
        return vector ? x.Squeeze(-1) : x;
    }

    /// <summary>Σᵢ Aᵢᵢ: [..., M, N] -> [...] (rectangular allowed) · differentiable by composition.</summary>
    public static Tensor Trace(Tensor a)
    {
        RequireMatrix(a, "Linalg.Trace");
        return (a * Tensor.Eye(a.Shape[-2], a.Shape[-1])).Sum([-2, -1]);
    }

    /// <summary>The 2-norm condition number σmax/σmin: [..., M, N] -> [...] (+∞ for a rank-deficient matrix).</summary>
    public static Tensor Cond(Tensor a)
    {
        var (batch, matrices) = MatrixBatch.Read(a, "Linalg.Cond");
        return MatrixBatch.Write(batch, matrices.Select(m => ConditionOf(SingularValuesOf(m))).ToArray());
    }

    internal static void RequireMatrix(Tensor a, string op)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (a.Rank < 2) throw new ArgumentException($"{op}: expected a matrix or a batch of matrices [..., M, N]; got shape {a.Shape}.");
    }

    /// <summary>2⁻²³, the spacing of float32 values at 1: the relative precision of every input.</summary>
    internal const double Float32Epsilon = 1.1920928955078125e-7;

    internal static Vector<double> SingularValuesOf(Matrix<double> m) => m.Svd(computeVectors: false).S;

    internal static double ConditionOf(Vector<double> s) => s[^1] == 0 ? double.PositiveInfinity : s[0] / s[^1];

    /// <summary>NumPy's rank rule at float32 precision: singular values above σmax·max(M, N)·ε count.</summary>
    internal static int RankOf(Vector<double> s, int rows, int cols, double? tolerance = null)
    {
        var tol = tolerance ?? s[0] * System.Math.Max(rows, cols) * Float32Epsilon;
        return s.Count(v => v > tol);
    }

    /// <summary>Throws unless the square matrix has full numerical rank at float32 precision.</summary>
    internal static void CheckInvertible(Matrix<double> m, string op, int[] batchDims, int index)
    {
        var s = SingularValuesOf(m);
        var n = m.RowCount;
        var rank = RankOf(s, n, n);
        if (rank == n) return;
        throw new ArgumentException(
            $"{op}: the {n}x{n} matrix{MatrixBatch.Where(batchDims, index)} is singular to float32 precision: condition number {ConditionOf(s):G3} " +
            $"(σmax/σmin; at most 1/(N·ε) = {1 / (n * Float32Epsilon):G3} is usable), numerical rank {rank} of {n}. " +
            "Use Linalg.PseudoInverse or Linalg.LeastSquares for the minimum-norm solution.");
    }
}
