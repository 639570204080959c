using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;

namespace Nabla.Mathematics;

/// <summary>Eigen-decomposition of a general real matrix: complex values and vectors kept as real and imaginary parts.</summary>
/// <param name="ValuesReal">Real parts of the eigenvalues [..., N]; complex ones come in adjacent conjugate pairs.</param>
/// <param name="ValuesImaginary">Imaginary parts of the eigenvalues [..., N] (zero for real eigenvalues).</param>
/// <param name="VectorsReal">Real parts of the eigenvectors [..., N, N], one per column, each of unit 2-norm.</param>
/// <param name="VectorsImaginary">Imaginary parts of the eigenvectors [..., N, N].</param>
public sealed record EigenDecomposition(Tensor ValuesReal, Tensor ValuesImaginary, Tensor VectorsReal, Tensor VectorsImaginary);

public static partial class Linalg
{
    /// <summary>
    /// A = QR with Q orthonormal columns and R upper triangular with a non-negative diagonal (which makes them unique for full rank).
    /// Reduced (default): A [..., M, N] -> Q [..., M, K], R [..., K, N] with K = min(M, N); complete: Q [..., M, M], R [..., M, N].
    /// </summary>
    public static (Tensor Q, Tensor R) Qr(Tensor a, bool complete = false)
    {
        var (batch, matrices) = MatrixBatch.Read(a, "Linalg.Qr");
        int m = a.Shape[-2], n = a.Shape[-1], k = Math.Min(m, n);
        var qCols = complete ? m : k;
        var qs = new Matrix<double>[matrices.Length];
        var rs = new Matrix<double>[matrices.Length];
        for (var b = 0; b < matrices.Length; b++)
        {
            // MathNet factors tall matrices; a wide A is handled by factoring its left M×M block (R = QᵀA stays upper trapezoidal).
            var square = n > m ? matrices[b].SubMatrix(0, m, 0, m) : matrices[b];
            var q = square.QR(QRMethod.Full).Q;
            var r = q.TransposeThisAndMultiply(matrices[b]);
            for (var i = 0; i < k; i++)
            {
                if (r[i, i] >= 0) continue;
                q.SetColumn(i, -q.Column(i));
                r.SetRow(i, -r.Row(i));
            }
            for (var i = 0; i < r.RowCount; i++)
            {
                for (var j = 0; j < Math.Min(i, n); j++) r[i, j] = 0; // exact zeros below the diagonal
            }
            qs[b] = q.SubMatrix(0, m, 0, qCols);
            rs[b] = r.SubMatrix(0, qCols, 0, n);
        }
        return (MatrixBatch.Write(batch, qs, m, qCols), MatrixBatch.Write(batch, rs, qCols, n));
    }

    /// <summary>
    /// Lower-triangular L with A = L·Lᵀ for symmetric positive-definite A: [..., N, N] -> [..., N, N].
    /// Throws for a non-symmetric matrix, or one that is not positive definite at float32 precision
    /// (smallest eigenvalue at or below max|A|·N·2⁻²³).
    /// </summary>
    public static Tensor Cholesky(Tensor a)
    {
        var (batch, matrices) = MatrixBatch.Read(a, "Linalg.Cholesky", square: true);
        var n = a.Shape[-1];
        var factors = new Matrix<double>[matrices.Length];
        for (var b = 0; b < matrices.Length; b++)
        {
            var sym = Symmetric(matrices[b], "Linalg.Cholesky", batch, b);
            var eigMin = sym.Evd(Symmetricity.Symmetric).EigenValues.Min(v => v.Real);
            var scale = sym.Enumerate().Max(Math.Abs);
            if (!(eigMin > scale * n * Float32Epsilon))
            {
                throw new ArgumentException(
                    $"Linalg.Cholesky: the {n}x{n} matrix{MatrixBatch.Where(batch, b)} is not positive definite at float32 precision: smallest eigenvalue {eigMin:G4}, " +
                    $"needs more than max|A|·N·ε = {scale * n * Float32Epsilon:G3}. A covariance matrix of dependent columns can be fixed by adding a small multiple of the identity.");
            }
            factors[b] = sym.Cholesky().Factor;
        }
        return MatrixBatch.Write(batch, factors, n, n);
    }

    /// <summary>
    /// Eigen-decomposition of symmetric matrices A = VΛVᵀ: [..., N, N] -> eigenvalues [..., N] in ascending order and
    /// orthonormal eigenvectors [..., N, N] (column i belongs to eigenvalue i; its first largest-magnitude entry is positive).
    /// Throws for a non-symmetric matrix (use <see cref="Eig"/>).
    /// </summary>
    public static (Tensor Values, Tensor Vectors) Eigh(Tensor a)
    {
        var (batch, matrices) = MatrixBatch.Read(a, "Linalg.Eigh", square: true);
        var n = a.Shape[-1];
        var values = new Vector<double>[matrices.Length];
        var vectors = new Matrix<double>[matrices.Length];
        for (var b = 0; b < matrices.Length; b++)
        {
            var evd = Symmetric(matrices[b], "Linalg.Eigh", batch, b).Evd(Symmetricity.Symmetric);
            var order = Enumerable.Range(0, n).OrderBy(i => evd.EigenValues[i].Real).ToArray();
            values[b] = Vector<double>.Build.Dense(n, i => evd.EigenValues[order[i]].Real);
            vectors[b] = Matrix<double>.Build.Dense(n, n);
            for (var i = 0; i < n; i++) vectors[b].SetColumn(i, WithPositivePeak(evd.EigenVectors.Column(order[i])));
        }
        return (MatrixBatch.Write(batch, values, n), MatrixBatch.Write(batch, vectors, n, n));
    }

    /// <summary>
    /// Eigen-decomposition of a general square matrix, A·v = λ·v with complex λ and v: [..., N, N] -> see <see cref="EigenDecomposition"/>.
    /// A defective matrix (no full set of eigenvectors) gives nearly parallel eigenvectors, as in LAPACK.
    /// </summary>
    public static EigenDecomposition Eig(Tensor a)
    {
        var (batch, matrices) = MatrixBatch.Read(a, "Linalg.Eig", square: true);
        var n = a.Shape[-1];
        var count = matrices.Length;
        var (valRe, valIm) = (new Vector<double>[count], new Vector<double>[count]);
        var (vecRe, vecIm) = (new Matrix<double>[count], new Matrix<double>[count]);
        for (var b = 0; b < count; b++)
        {
            (valRe[b], valIm[b], vecRe[b], vecIm[b]) = GeneralEigen(matrices[b]);
        }
        return new EigenDecomposition(
            MatrixBatch.Write(batch, valRe, n), MatrixBatch.Write(batch, valIm, n),
            MatrixBatch.Write(batch, vecRe, n, n), MatrixBatch.Write(batch, vecIm, n, n));
    }

    /// <summary>
    /// Singular value decomposition A = U·diag(S)·Vt with S descending and non-negative.
    /// Thin (default): A [..., M, N] -> U [..., M, K], S [..., K], Vt [..., K, N] with K = min(M, N);
    /// full: U [..., M, M], Vt [..., N, N]. Signs are fixed so the first largest-magnitude entry of each column of U is positive.
    /// </summary>
    public static (Tensor U, Tensor S, Tensor Vt) Svd(Tensor a, bool fullMatrices = false)
    {
        var (batch, matrices) = MatrixBatch.Read(a, "Linalg.Svd");
        int m = a.Shape[-2], n = a.Shape[-1], k = Math.Min(m, n);
        int uCols = fullMatrices ? m : k, vRows = fullMatrices ? n : k;
        var us = new Matrix<double>[matrices.Length];
        var ss = new Vector<double>[matrices.Length];
        var vts = new Matrix<double>[matrices.Length];
        for (var b = 0; b < matrices.Length; b++)
        {
            var svd = matrices[b].Svd(computeVectors: true);
            var u = svd.U;
            var vt = svd.VT;
            for (var i = 0; i < k; i++)
            {
                if (!NeedsFlip(u.Column(i))) continue;
                u.SetColumn(i, -u.Column(i));
                vt.SetRow(i, -vt.Row(i));
            }
            us[b] = u.SubMatrix(0, m, 0, uCols);
            ss[b] = svd.S;
            vts[b] = vt.SubMatrix(0, vRows, 0, n);
        }
        return (MatrixBatch.Write(batch, us, m, uCols), MatrixBatch.Write(batch, ss, k), MatrixBatch.Write(batch, vts, vRows, n));
    }

    /// <summary>Singular values in descending order: [..., M, N] -> [..., min(M, N)].</summary>
    public static Tensor SingularValues(Tensor a)
    {
        var (batch, matrices) = MatrixBatch.Read(a, "Linalg.SingularValues");
        return MatrixBatch.Write(batch, matrices.Select(SingularValuesOf).ToArray(), Math.Min(a.Shape[-2], a.Shape[-1]));
    }

    /// <summary>The matrix made exactly symmetric, after checking it is symmetric up to float32 rounding.</summary>
    private static Matrix<double> Symmetric(Matrix<double> m, string op, int[] batch, int index)
    {
        var scale = m.Enumerate().Max(Math.Abs);
        for (var i = 0; i < m.RowCount; i++)
        {
            for (var j = 0; j < i; j++)
            {
                if (Math.Abs(m[i, j] - m[j, i]) > 1e-5 * scale)
                {
                    throw new ArgumentException($"{op}: the matrix{MatrixBatch.Where(batch, index)} is not symmetric: A[{i}, {j}] = {m[i, j]:G6} but A[{j}, {i}] = {m[j, i]:G6}. Use Linalg.Eig for general matrices.");
                }
            }
        }
        return (m + m.Transpose()) / 2;
    }

    private static bool NeedsFlip(Vector<double> v) => v[v.AbsoluteMaximumIndex()] < 0;

    private static Vector<double> WithPositivePeak(Vector<double> v) => NeedsFlip(v) ? -v : v;
}
