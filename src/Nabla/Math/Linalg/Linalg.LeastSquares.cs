using MathNet.Numerics.LinearAlgebra;

namespace Nabla.Mathematics;

/// <summary>Result of <see cref="Linalg.LeastSquares"/>.</summary>
/// <param name="Solution">X minimising ‖AX - B‖ (the one of least norm when A is rank-deficient): [..., N, K] or [..., N].</param>
/// <param name="Residuals">Σ (AX - B)² per right-hand side: [..., K] or [...].</param>
/// <param name="Rank">Numerical rank of each A: [...].</param>
/// <param name="SingularValues">Singular values of each A, descending: [..., min(M, N)].</param>
public sealed record LeastSquaresResult(Tensor Solution, Tensor Residuals, Tensor Rank, Tensor SingularValues);

public static partial class Linalg
{
    /// <summary>
    /// Least squares by SVD: X = V·Σ⁺·Uᵀ·B minimises ‖AX - B‖ for A [..., M, N] and B [..., M, K] (or B [..., M] -> X [..., N]),
    /// any M, N and rank. Singular values at or below <paramref name="rcond"/>·σmax (default max(M, N)·ε, ε = 2⁻²³) count as zero,
    /// which gives the minimum-norm solution for rank-deficient A instead of an error. Batch axes broadcast.
    /// </summary>
    public static LeastSquaresResult LeastSquares(Tensor a, Tensor b, double? rcond = null)
    {
        RequireMatrix(a, "Linalg.LeastSquares");
        ArgumentNullException.ThrowIfNull(b);
        int m = a.Shape[-2], n = a.Shape[-1];
        var vector = b.Rank == 1 || b.Rank == a.Rank - 1;
        var bm = vector ? b.Unsqueeze(-1) : b;
        if (bm.Rank < 2 || bm.Shape[-2] != m)
        {
            throw new ArgumentException($"Linalg.LeastSquares: A {a.Shape} has {m} rows, so B must be [..., {m}, K] or [..., {m}]; got B {b.Shape}.");
        }
        var k = bm.Shape[-1];
        var batch = Shape.Broadcast(Shape.Wrap(a.Shape.Dims[..^2]), Shape.Wrap(bm.Shape.Dims[..^2]), $"Linalg.LeastSquares: A {a.Shape}, B {b.Shape}: batch axes").Dims;
        var (_, matrices) = MatrixBatch.Read(a.Expand([.. batch, m, n]), "Linalg.LeastSquares");
        var (_, rhs) = MatrixBatch.Read(bm.Expand([.. batch, m, k]), "Linalg.LeastSquares");
        var count = matrices.Length;
        var solutions = new Matrix<double>[count];
        var residuals = new Vector<double>[count];
        var ranks = new double[count];
        var singular = new Vector<double>[count];
        for (var i = 0; i < count; i++)
        {
            var (pinv, s, rank) = PseudoInverseOf(matrices[i], rcond);
            solutions[i] = pinv * rhs[i];
            var r = matrices[i] * solutions[i] - rhs[i];
            residuals[i] = Vector<double>.Build.Dense(k, j => r.Column(j).DotProduct(r.Column(j)));
            ranks[i] = rank;
            singular[i] = s;
        }
        var x = MatrixBatch.Write(batch, solutions, n, k);
        var res = MatrixBatch.Write(batch, residuals, k);
        return new LeastSquaresResult(vector ? x.Squeeze(-1) : x, vector ? res.Squeeze(-1) : res,
            MatrixBatch.Write(batch, ranks), MatrixBatch.Write(batch, singular, Math.Min(m, n)));
    }

    /// <summary>
    /// Moore–Penrose pseudo-inverse A⁺ = V·Σ⁺·Uᵀ: [..., M, N] -> [..., N, M]. Singular values at or below
    /// <paramref name="rcond"/>·σmax (default max(M, N)·ε, ε = 2⁻²³) are treated as zero, so singular matrices are fine.
    /// </summary>
    public static Tensor PseudoInverse(Tensor a, double? rcond = null)
    {
        var (batch, matrices) = MatrixBatch.Read(a, "Linalg.PseudoInverse");
        return MatrixBatch.Write(batch, matrices.Select(m => PseudoInverseOf(m, rcond).Pinv).ToArray(), a.Shape[-1], a.Shape[-2]);
    }

    /// <summary>
    /// Numerical rank: the number of singular values above <paramref name="tolerance"/> (default σmax·max(M, N)·ε,
    /// NumPy's rule): [..., M, N] -> [...] (whole numbers).
    /// </summary>
    public static Tensor MatrixRank(Tensor a, double? tolerance = null)
    {
        var (batch, matrices) = MatrixBatch.Read(a, "Linalg.MatrixRank");
        return MatrixBatch.Write(batch, matrices.Select(m => (double)RankOf(SingularValuesOf(m), m.RowCount, m.ColumnCount, tolerance)).ToArray());
    }

    private static (Matrix<double> Pinv, Vector<double> S, int Rank) PseudoInverseOf(Matrix<double> a, double? rcond)
    {
        if (rcond is < 0 or double.NaN) throw new ArgumentException($"Linalg: rcond must be non-negative; got {rcond}.");
        var svd = a.Svd(computeVectors: true);
        var s = svd.S;
        var cutoff = s[0] * (rcond ?? Math.Max(a.RowCount, a.ColumnCount) * Float32Epsilon);
        var inverted = new double[s.Count];
        var rank = 0;
        for (var i = 0; i < s.Count; i++)
        {
            if (s[i] > cutoff)
            {
                inverted[i] = 1 / s[i];
                rank++;
            }
        }
        var k = s.Count;
        var v = svd.VT.SubMatrix(0, k, 0, a.ColumnCount).Transpose();
        var ut = svd.U.SubMatrix(0, a.RowCount, 0, k).Transpose();
        return (v * Matrix<double>.Build.DiagonalOfDiagonalArray(inverted) * ut, s, rank);
    }
}
