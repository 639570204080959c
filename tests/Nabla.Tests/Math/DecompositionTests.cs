using Nabla.Mathematics;
using Nabla.Tests.Support;
using static Nabla.Tests.MathTests.MathAssert;

namespace Nabla.Tests.MathTests;

/// <summary>Every factorization reconstructs its input, on random, symmetric, singular, ill-conditioned and batched matrices.</summary>
public class DecompositionTests
{
    private const double Tol = 2e-6; // relative to max |A|: float32 rounding of the factors plus one float32 product

    private static readonly Dictionary<string, Tensor> Matrices = new()
    {
        ["random 4x4"] = Random(4, 4, 1),
        ["tall 6x3"] = Random(6, 3, 2),
        ["wide 3x5"] = Random(3, 5, 3),
        ["symmetric 5x5"] = Symmetric(5, 4),
        ["singular 5x5 of rank 2"] = RankDeficient(5, 5, 2, 5),
        ["singular tall 6x4 of rank 3"] = RankDeficient(6, 4, 3, 7),
        ["ill-conditioned Hilbert 6x6"] = Hilbert(6),
        ["zero 3x3"] = Tensor.Zeros(3, 3),
        ["batch 2x3x4x3"] = Tensor.Randn([2, 3, 4, 3], new Generator(9)),
    };

    public static TheoryData<string> All() => [.. Matrices.Keys];

    public static TheoryData<string> Square() => [.. Matrices.Where(p => p.Value.Shape[-1] == p.Value.Shape[-2]).Select(p => p.Key)];

    [Theory]
    [MemberData(nameof(All))]
    public void Qr_reconstructs_with_orthonormal_q_and_triangular_r(string name)
    {
        var a = Matrices[name];
        foreach (var complete in new[] { false, true })
        {
            var (q, r) = Linalg.Qr(a, complete);
            var k = complete ? a.Shape[-2] : Math.Min(a.Shape[-2], a.Shape[-1]);
            Assert.Equal(k, q.Shape[-1]);
            Near(a, q.MatMul(r), Tol, $"{name}: A = QR (complete: {complete})");
            OrthonormalColumns(q, Tol, name);
            var rows = r.Shape[-2];
            var cols = r.Shape[-1];
            var below = r * (1f - UpperMask(rows, cols));
            Assert.True(below.Abs().Max().Item() == 0f, $"{name}: R has non-zeros below the diagonal");
            Assert.True(Diagonal(r).Min().Item() >= 0f, $"{name}: R has a negative diagonal entry");
        }
    }

    [Theory]
    [MemberData(nameof(All))]
    public void Svd_reconstructs_with_orthonormal_factors_and_sorted_values(string name)
    {
        var a = Matrices[name];
        var (u, s, vt) = Linalg.Svd(a);
        Near(a, (u * s.Unsqueeze(-2)).MatMul(vt), Tol, $"{name}: A = UΣVᵀ (thin)");
        OrthonormalColumns(u, Tol, name + " U");
        OrthonormalColumns(vt.Transpose(-1, -2), Tol, name + " V");
        var values = s.ToArray();
        var k = s.Shape[-1];
        for (var i = 0; i < values.Length; i++)
        {
            Assert.True(values[i] >= 0 && (i % k == 0 || values[i] <= values[i - 1]), $"{name}: singular values not descending and non-negative: {s}");
        }
        Near(s, Linalg.SingularValues(a), 1e-6, name + " SingularValues");

        var (uf, sf, vtf) = Linalg.Svd(a, fullMatrices: true);
        Assert.Equal(a.Shape[-2], uf.Shape[-1]);
        Assert.Equal(a.Shape[-1], vtf.Shape[-2]);
        OrthonormalColumns(uf, Tol, name + " full U");
        OrthonormalColumns(vtf.Transpose(-1, -2), Tol, name + " full V");
        var thinU = uf.Narrow(-1, 0, k);
        var thinVt = vtf.Narrow(-2, 0, k);
        Near(a, (thinU * sf.Unsqueeze(-2)).MatMul(thinVt), Tol, $"{name}: A = UΣVᵀ (full)");
    }

    [Theory]
    [MemberData(nameof(Square))]
    public void Eigh_of_the_symmetric_part_satisfies_av_equals_v_lambda(string name)
    {
        var x = Matrices[name];
        var a = ((x + x.Transpose(-1, -2)) * 0.5f).Contiguous();
        var (values, vectors) = Linalg.Eigh(a);
        Near(vectors * values.Unsqueeze(-2), a.MatMul(vectors), 1e-5, $"{name}: AV = VΛ");
        Near(a, (vectors * values.Unsqueeze(-2)).MatMul(vectors.Transpose(-1, -2)), 1e-5, $"{name}: A = VΛVᵀ");
        OrthonormalColumns(vectors, Tol, name);
        var v = values.ToArray();
        var n = values.Shape[-1];
        for (var i = 1; i < v.Length; i++) Assert.True(i % n == 0 || v[i] >= v[i - 1], $"{name}: eigenvalues not ascending: {values}");
    }

    [Fact]
    public void Eigh_matches_known_eigenvalues_and_rejects_non_symmetric_input()
    {
        // [[2, 1], [1, 2]] has eigenvalues 1 and 3 with eigenvectors (1, -1)/√2 and (1, 1)/√2.
        var (values, vectors) = Linalg.Eigh(Matrix(new double[,] { { 2, 1 }, { 1, 2 } }));
        Near(Tensor.FromArray(1f, 3f), values, 1e-6, "eigenvalues");
        var r = (float)Math.Sqrt(0.5);
        Near(Tensor.FromArray([r, r, -r, r], 2, 2), vectors, 1e-6, "eigenvectors (first largest entry positive)");
        Assert.Contains("not symmetric", Assert.Throws<ArgumentException>(() => Linalg.Eigh(Matrix(new double[,] { { 1, 2 }, { 3, 4 } }))).Message);
    }

    [Theory]
    [MemberData(nameof(Square))]
    public void Eig_satisfies_av_equals_lambda_v_in_complex_arithmetic(string name)
    {
        var a = Matrices[name];
        var e = Linalg.Eig(a);
        // A(x + iy) = (α + iβ)(x + iy): real part Ax = αx - βy, imaginary part Ay = βx + αy (column by column).
        var alpha = e.ValuesReal.Unsqueeze(-2);
        var beta = e.ValuesImaginary.Unsqueeze(-2);
        var (x, y) = (e.VectorsReal, e.VectorsImaginary);
        var scale = (float)Math.Max(1, a.Abs().Max().Item());
        Near(x * alpha - y * beta, a.MatMul(x), 1e-5 * scale, $"{name}: real part");
        Near(x * beta + y * alpha, a.MatMul(y), 1e-5 * scale, $"{name}: imaginary part");
        if (name.StartsWith("singular", StringComparison.Ordinal) || name.StartsWith("zero", StringComparison.Ordinal)) return; // eigenvectors of 0 may be any unit vectors
        Near(Tensor.OnesLike(e.ValuesReal), (x * x + y * y).Sum(-2), 1e-5, $"{name}: unit eigenvectors");
    }

    [Fact]
    public void Eig_of_a_rotation_gives_conjugate_imaginary_eigenvalues()
    {
        var e = Linalg.Eig(Matrix(new double[,] { { 0, -1 }, { 1, 0 } }));
        Near(Tensor.Zeros(2), e.ValuesReal, 1e-6, "real parts");
        var imaginary = e.ValuesImaginary.ToArray().Order().ToArray();
        Near(-1, imaginary[0], 1e-6, "-i");
        Near(1, imaginary[1], 1e-6, "+i");
    }

    [Fact]
    public void Cholesky_reconstructs_spd_matrices_and_rejects_others()
    {
        foreach (var (label, a) in new[] { ("XXᵀ + I", Random(5, 5, 30).MatMul(Random(5, 5, 30).T) + Tensor.Eye(5)), ("Hilbert 5", Hilbert(5)) })
        {
            var l = Linalg.Cholesky(a);
            Near(a, l.MatMul(l.T), Tol, $"{label}: LLᵀ = A");
            var n = a.Shape[0];
            Assert.Equal(0f, (l * UpperMask(n, n, strict: true)).Abs().Max().Item());
        }
        Assert.Contains("not positive definite", Assert.Throws<ArgumentException>(() => Linalg.Cholesky(Matrix(new double[,] { { 1, 2 }, { 2, 1 } }))).Message);
        Assert.Contains("not positive definite", Assert.Throws<ArgumentException>(() => Linalg.Cholesky(Hilbert(7))).Message); // cond 4.8e8: semidefinite at float32 precision
        Assert.Contains("not positive definite", Assert.Throws<ArgumentException>(() => Linalg.Cholesky(RankDeficient(4, 2, 2, 3).MatMul(RankDeficient(4, 2, 2, 3).T))).Message);
        Assert.Contains("not symmetric", Assert.Throws<ArgumentException>(() => Linalg.Cholesky(Matrix(new double[,] { { 2, 1 }, { 0, 2 } }))).Message);
    }

    [Fact]
    public void Least_squares_matches_normal_equations_and_gives_minimum_norm_when_rank_deficient()
    {
        // Line fit y = 1 + 2x through (0, 1), (1, 3), (2, 5) plus noise-free check; then an exactly determined residual of 0.
        var a = Matrix(new double[,] { { 1, 0 }, { 1, 1 }, { 1, 2 }, { 1, 3 } });
        var b = Tensor.FromArray(1f, 3f, 5f, 8f);
        var fit = Linalg.LeastSquares(a, b);
        var normal = Linalg.Solve(a.T.MatMul(a), a.T.MatMul(b)); // (AᵀA)⁻¹Aᵀb
        Near(normal, fit.Solution, 1e-5, "solution");
        var r = a.MatMul(fit.Solution) - b;
        Near((r * r).Sum().Item(), fit.Residuals.Item(), 1e-5, "residual sum of squares");
        Assert.Equal(2f, fit.Rank.Item());

        var deficient = RankDeficient(5, 4, 2, 40);
        var rhs = Random(5, 2, 41);
        var minimum = Linalg.LeastSquares(deficient, rhs);
        Assert.Equal(2f, minimum.Rank.Item());
        Near(Linalg.PseudoInverse(deficient).MatMul(rhs), minimum.Solution, 1e-5, "x = A⁺b");
        // Minimum norm: the solution lies in the row space of A, i.e. it is orthogonal to the null space.
        var (_, s, vt) = Linalg.Svd(deficient);
        var nullSpace = vt.Narrow(0, 2, 2);
        Near(Tensor.Zeros(2, 2), nullSpace.MatMul(minimum.Solution), 1e-5, "no null-space component");
        Assert.True(s[3] < 1e-5 * s[0]);
    }

    [Fact]
    public void Pseudo_inverse_satisfies_the_penrose_conditions_and_rank_counts_independent_columns()
    {
        foreach (var a in new[] { RankDeficient(5, 4, 2, 50), Random(3, 5, 51), Tensor.Zeros(2, 3) })
        {
            var p = Linalg.PseudoInverse(a);
            Near(a, a.MatMul(p).MatMul(a), 1e-5, "A A⁺ A = A");
            Near(p, p.MatMul(a).MatMul(p), 1e-5, "A⁺ A A⁺ = A⁺");
            Near(a.MatMul(p).T, a.MatMul(p), 1e-5, "A A⁺ symmetric");
            Near(p.MatMul(a).T, p.MatMul(a), 1e-5, "A⁺ A symmetric");
        }
        Assert.Equal(2f, Linalg.MatrixRank(RankDeficient(5, 4, 2, 52)).Item());
        Assert.Equal(4f, Linalg.MatrixRank(Random(5, 4, 53)).Item());
        Assert.Equal(0f, Linalg.MatrixRank(Tensor.Zeros(3, 3)).Item());
        Check.Close([2f, 3f], Linalg.MatrixRank(Tensor.Stack([RankDeficient(4, 4, 2, 54), RankDeficient(4, 4, 3, 56)])));
        Near(Linalg.Inverse(Random(3, 3, 55) + Tensor.Eye(3) * 3f), Linalg.PseudoInverse(Random(3, 3, 55) + Tensor.Eye(3) * 3f), 1e-5, "A⁺ = A⁻¹ when invertible");
    }

    private static Tensor Diagonal(Tensor r)
    {
        var k = Math.Min(r.Shape[-2], r.Shape[-1]);
        return (r.Narrow(-2, 0, k).Narrow(-1, 0, k) * Tensor.Eye(k)).Sum(-1);
    }

    /// <summary>1 on and above the diagonal (strictly above with <paramref name="strict"/>), 0 below.</summary>
    private static Tensor UpperMask(int rows, int cols, bool strict = false)
    {
        var values = new float[rows * cols];
        for (var i = 0; i < rows; i++)
        {
            for (var j = 0; j < cols; j++) values[i * cols + j] = j > i || (!strict && j == i) ? 1f : 0f;
        }
        return Tensor.FromArray(values, rows, cols);
    }
}
