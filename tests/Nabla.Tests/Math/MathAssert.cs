namespace Nabla.Tests.MathTests;

/// <summary>Matrices with known structure and tolerance checks shared by the maths tests.</summary>
internal static class MathAssert
{
    /// <summary>max |expected - actual| ≤ tol·max(1, max |expected|), with matching shapes.</summary>
    public static void Near(Tensor expected, Tensor actual, double tol, string context = "")
    {
        Assert.True(expected.Shape == actual.Shape, $"{context}: shape {actual.Shape} but expected {expected.Shape}");
        var e = expected.ToArray();
        var a = actual.ToArray();
        var scale = Math.Max(1.0, e.Length == 0 ? 0 : e.Max(v => Math.Abs((double)v)));
        for (var i = 0; i < e.Length; i++)
        {
            Assert.True(Math.Abs((double)e[i] - a[i]) <= tol * scale, $"{context}: element {i} is {a[i]} but expected {e[i]} (tolerance {tol * scale:G3})");
        }
    }

    public static void Near(double expected, double actual, double tol, string context = "") =>
        Assert.True(Math.Abs(expected - actual) <= tol, $"{context}: got {actual:G10} but expected {expected:G10} (tolerance {tol:G3})");

    public static Tensor Matrix(double[,] values) => Tensor.From(values);

    public static Tensor Random(int rows, int cols, ulong seed) => Tensor.Randn([rows, cols], new Generator(seed));

    /// <summary>A random symmetric matrix (X + Xᵀ)/2.</summary>
    public static Tensor Symmetric(int n, ulong seed)
    {
        var x = Random(n, n, seed);
        return ((x + x.T) * 0.5f).Contiguous();
    }

    /// <summary>A rank-r matrix B·C with B [rows, r], C [r, cols].</summary>
    public static Tensor RankDeficient(int rows, int cols, int rank, ulong seed) =>
        Random(rows, rank, seed).MatMul(Random(rank, cols, seed + 1));

    /// <summary>The Hilbert matrix 1/(i + j + 1): symmetric positive definite and notoriously ill-conditioned (cond ≈ 4.8e5 at n = 5).</summary>
    public static Tensor Hilbert(int n)
    {
        var values = new double[n, n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++) values[i, j] = 1.0 / (i + j + 1);
        }
        return Tensor.From(values);
    }

    /// <summary>‖QᵀQ - I‖max ≤ tol: the columns are orthonormal.</summary>
    public static void OrthonormalColumns(Tensor q, double tol, string context)
    {
        var k = q.Shape[-1];
        Near(Tensor.Eye(k).Expand([.. q.Shape.ToArray()[..^2], k, k]).Contiguous(), q.Transpose(-1, -2).MatMul(q), tol, context + " QᵀQ = I");
    }
}
