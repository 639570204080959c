using Nabla.Mathematics;
using Nabla.Tests.Support;
using static Nabla.Tests.MathTests.MathAssert;

namespace Nabla.Tests.MathTests;

public class LinalgTests
{
    // Hand-computed determinants: ad - bc, and the 3x3 cofactor expansion 6(-14-40) - 1(28-10) + 1(32+4) = -306.
    public static TheoryData<double[,], double> Determinants() => new()
    {
        { new double[,] { { 1, 2 }, { 3, 4 } }, -2 },
        { new double[,] { { 6, 1, 1 }, { 4, -2, 5 }, { 2, 8, 7 } }, -306 },
        { new double[,] { { 1, 2 }, { 2, 4 } }, 0 },
        { new double[,] { { 0, 1 }, { 1, 0 } }, -1 },
        { new double[,] { { 2, 0, 0 }, { 0, 3, 0 }, { 0, 0, 4 } }, 24 },
    };

    [Theory]
    [MemberData(nameof(Determinants))]
    public void Det_and_slogdet_match_hand_computation(double[,] a, double det)
    {
        Near(det, Linalg.Det(Matrix(a)).Item(), 1e-4, "det");
        var (sign, log) = Linalg.SlogDet(Matrix(a));
        Assert.Equal(Math.Sign(det), sign.Item());
        if (det != 0) Near(Math.Log(Math.Abs(det)), log.Item(), 1e-5, "log|det|");
        else Assert.Equal(float.NegativeInfinity, log.Item());
    }

    [Fact]
    public void Det_is_batched_and_slogdet_survives_overflow()
    {
        var batch = Tensor.Stack([Matrix(new double[,] { { 1, 2 }, { 3, 4 } }), Matrix(new double[,] { { 2, 0 }, { 0, 5 } })]);
        Check.Close([-2f, 10f], Linalg.Det(batch), 1e-5, 1e-5);
        // det(10·I₄₀) = 10⁴⁰ overflows float32, log|det| = 40·ln 10 does not.
        var big = Tensor.Eye(40) * 10f;
        Near(40 * Math.Log(10), Linalg.SlogDet(big).LogAbsDet.Item(), 1e-4, "log|det| of 10·I");
        Assert.Throws<ArgumentException>(() => Linalg.LogDet(Matrix(new double[,] { { 0, 1 }, { 1, 0 } })));
    }

    [Fact]
    public void Inverse_matches_hand_computation()
    {
        // [[4, 7], [2, 6]]⁻¹ = 1/10·[[6, -7], [-2, 4]].
        Check.Close([0.6f, -0.7f, -0.2f, 0.4f], Linalg.Inverse(Matrix(new double[,] { { 4, 7 }, { 2, 6 } })), 1e-5, 1e-6);
        var a = Random(5, 5, 3) + Tensor.Eye(5) * 4f;
        Near(Tensor.Eye(5), a.MatMul(Linalg.Inverse(a)), 1e-5, "A·A⁻¹");
    }

    [Fact]
    public void Inverse_and_solve_refuse_singular_and_ill_conditioned_matrices()
    {
        var singular = Assert.Throws<ArgumentException>(() => Linalg.Inverse(Matrix(new double[,] { { 1, 2 }, { 2, 4 } })));
        Assert.Contains("singular", singular.Message);
        Assert.Contains("condition number", singular.Message);
        Assert.Contains("rank 1 of 2", singular.Message);
        // Invertible in exact arithmetic, but σmin/σmax = 1e-8 is below float32's resolution of its entries.
        var ill = Assert.Throws<ArgumentException>(() => Linalg.Inverse(Matrix(new double[,] { { 1, 0 }, { 0, 1e-8 } })));
        Assert.Contains("condition number 1E+08", ill.Message);
        Assert.Contains("rank 1 of 2", ill.Message);
        Assert.Throws<ArgumentException>(() => Linalg.Inverse(RankDeficient(4, 4, 3, 8))); // rank 3 up to float32 rounding
        Near(Tensor.Eye(5), Hilbert(5).MatMul(Linalg.Inverse(Hilbert(5))), 1e-2, "Hilbert 5 (cond 4.8e5) is still invertible"); // float32 product of entries up to 1.8e5
        var batched = Assert.Throws<ArgumentException>(() => Linalg.Solve(Tensor.Stack([Tensor.Eye(2), Tensor.Zeros(2, 2)]), Tensor.Ones(2, 2, 1)));
        Assert.Contains("batch element 1", batched.Message);
    }

    [Fact]
    public void Solve_checks_shapes_and_broadcasts_batches()
    {
        var a = Random(3, 3, 5) + Tensor.Eye(3) * 3f;
        var b = Random(3, 2, 6);
        Near(b, a.MatMul(Linalg.Solve(a, b)), 1e-5, "A·X = B");
        var v = Tensor.FromArray(1f, 2f, 3f);
        Near(v, a.MatMul(Linalg.Solve(a, v)), 1e-5, "A·x = b");
        var manyB = Random(12, 2, 7).Reshape(4, 3, 2);
        var x = Linalg.Solve(a, manyB);
        Assert.Equal([4, 3, 2], x.Shape.ToArray());
        Near(manyB, a.MatMul(x), 1e-5, "broadcast A");
        Assert.Contains("needs B with 3 rows", Assert.Throws<ArgumentException>(() => Linalg.Solve(a, Tensor.Ones(4, 1))).Message);
        Assert.Contains("square", Assert.Throws<ArgumentException>(() => Linalg.Solve(Tensor.Ones(3, 2), b)).Message);
    }

    [Fact]
    public void Non_finite_input_is_rejected()
    {
        var e = Assert.Throws<ArgumentException>(() => Linalg.Det(Matrix(new double[,] { { 1, double.NaN }, { 0, 1 } })));
        Assert.Contains("NaN", e.Message);
    }

    public static TheoryData<string> Differentiable() => [.. GradientCases.Keys];

    private static readonly Dictionary<string, (Func<Tensor[], Tensor> F, Tensor[] Inputs)> GradientCases = new()
    {
        ["Det"] = (xs => Linalg.Det(xs[0]), [Random(3, 3, 10)]),
        ["Det batched"] = (xs => Linalg.Det(xs[0]), [Tensor.Randn([2, 3, 3], new Generator(11))]),
        ["SlogDet"] = (xs => Linalg.SlogDet(xs[0]).LogAbsDet, [Random(3, 3, 12) + Tensor.Eye(3) * 3f]),
        ["LogDet"] = (xs => Linalg.LogDet(xs[0].MatMul(xs[0].T) + Tensor.Eye(3)), [Random(3, 3, 13)]),
        ["Inverse"] = (xs => Linalg.Inverse(xs[0]), [Random(3, 3, 14) + Tensor.Eye(3) * 3f]),
        ["Solve"] = (xs => Linalg.Solve(xs[0], xs[1]), [Random(3, 3, 15) + Tensor.Eye(3) * 3f, Random(3, 2, 16)]),
        ["Solve vector"] = (xs => Linalg.Solve(xs[0], xs[1]), [Random(3, 3, 17) + Tensor.Eye(3) * 3f, Tensor.Randn([3], new Generator(18))]),
        ["Trace"] = (xs => Linalg.Trace(xs[0]), [Random(3, 4, 19)]),
        ["MatrixPower 3"] = (xs => Linalg.MatrixPower(xs[0], 3), [Random(3, 3, 20) * 0.5f]),
        ["MatrixPower -2"] = (xs => Linalg.MatrixPower(xs[0], -2), [Random(2, 2, 21) + Tensor.Eye(2) * 3f]),
        ["Spectral norm"] = (xs => Linalg.MatrixNorm(xs[0], MatrixNormKind.Spectral), [Random(3, 4, 22)]),
        ["Nuclear norm"] = (xs => Linalg.MatrixNorm(xs[0], MatrixNormKind.Nuclear), [Random(4, 3, 23)]),
        ["Frobenius norm"] = (xs => Linalg.MatrixNorm(xs[0]), [Random(2, 3, 24)]),
    };

    [Theory]
    [MemberData(nameof(Differentiable))]
    public void Gradients_match_finite_differences(string name)
    {
        var (f, inputs) = GradientCases[name];
        Check.Gradients(f, inputs, name, eps: 1e-2, tol: 2e-2);
    }

    [Fact]
    public void Det_gradient_is_the_cofactor_matrix_even_when_singular()
    {
        // ∂det/∂A = adj(A)ᵀ; for [[1, 2], [2, 4]] (det 0) the cofactors are [[4, -2], [-2, 1]].
        var a = Matrix(new double[,] { { 1, 2 }, { 2, 4 } }).RequireGrad();
        Linalg.Det(a).Backward();
        Check.Close([4f, -2f, -2f, 1f], a.Grad!, 1e-5, 1e-5);
    }

    [Fact]
    public void Inverse_gradient_is_differentiable_twice()
    {
        // f(a) = 1/a for a 1x1 matrix: f'' = 2/a³.
        var a = Tensor.FromArray([2f], 1, 1).RequireGrad();
        var first = Autograd.Grad(Linalg.Inverse(a).Sum(), a, createGraph: true);
        var second = Autograd.Grad(first.Sum(), a);
        Near(2.0 / 8, second.Item(), 1e-6, "d²(1/a)/da²");
    }

    [Fact]
    public void Norms_match_hand_computation()
    {
        // A = [[1, -2], [3, 4]]: AᵀA = [[10, 10], [10, 20]] has eigenvalues 15 ± √125, so σ = √(15 ± √125);
        // nuclear norm² = Σσ² + 2σ₁σ₂ = 30 + 2|det A| = 50.
        var a = Matrix(new double[,] { { 1, -2 }, { 3, 4 } });
        Near(Math.Sqrt(30), Linalg.MatrixNorm(a).Item(), 1e-5, "Frobenius");
        Near(Math.Sqrt(15 + Math.Sqrt(125)), Linalg.MatrixNorm(a, MatrixNormKind.Spectral).Item(), 1e-5, "spectral");
        Near(Math.Sqrt(50), Linalg.MatrixNorm(a, MatrixNormKind.Nuclear).Item(), 1e-5, "nuclear");
        Near(6, Linalg.MatrixNorm(a, MatrixNormKind.One).Item(), 1e-6, "1-norm");
        Near(7, Linalg.MatrixNorm(a, MatrixNormKind.Infinity).Item(), 1e-6, "∞-norm");
        Near(5, Linalg.VectorNorm(Tensor.FromArray(3f, -4f)).Item(), 1e-6, "vector 2-norm");
        Near(7, Linalg.VectorNorm(Tensor.FromArray(3f, -4f), 1f).Item(), 1e-6, "vector 1-norm");
        Near(Math.Sqrt(15 + Math.Sqrt(125)) / Math.Sqrt(15 - Math.Sqrt(125)), Linalg.Cond(a).Item(), 1e-4, "condition number");
        Near(1 + 4, Linalg.Trace(a).Item(), 0, "trace");
    }

    [Fact]
    public void Matrix_power_and_exponential_match_closed_forms()
    {
        // Fibonacci: [[1, 1], [1, 0]]ⁿ = [[F(n+1), F(n)], [F(n), F(n-1)]].
        var fib = Matrix(new double[,] { { 1, 1 }, { 1, 0 } });
        Check.Close([89f, 55f, 55f, 34f], Linalg.MatrixPower(fib, 10));
        Check.Close([1f, 0f, 0f, 1f], Linalg.MatrixPower(fib, 0));
        Near(Linalg.Inverse(fib), Linalg.MatrixPower(fib, -1), 1e-6, "A⁻¹");

        Check.Close([(float)Math.E, 0f, 0f, (float)Math.Exp(2)], Linalg.MatrixExp(Matrix(new double[,] { { 1, 0 }, { 0, 2 } })), 1e-6, 1e-6);
        Check.Close([1f, 1f, 0f, 1f], Linalg.MatrixExp(Matrix(new double[,] { { 0, 1 }, { 0, 0 } })), 1e-6, 1e-6); // nilpotent: I + N
        const double t = 2.5; // exp of a skew-symmetric generator is a rotation by t
        var rotation = Linalg.MatrixExp(Matrix(new double[,] { { 0, -t }, { t, 0 } }));
        Check.Close([(float)Math.Cos(t), (float)-Math.Sin(t), (float)Math.Sin(t), (float)Math.Cos(t)], rotation, 1e-5, 1e-6);
        Assert.Throws<ArgumentException>(() => Linalg.MatrixExp(Tensor.Eye(2) * 100f));
    }
}
