using MathNet.Numerics.LinearAlgebra;

namespace Nabla.Mathematics;

/// <summary>
/// y = det(A) for A [..., N, N] -> y [...] · backward: dA = dy·C, with C = adj(A)ᵀ the cofactor matrix.
/// C comes from the SVD A = UΣVᵀ as det(U)det(V)·U·diag(∏_{j≠i} σⱼ)·Vᵀ, which stays exact for
/// singular A where det(A)·A⁻ᵀ would divide by zero. First-order only (C is a constant).
/// </summary>
internal sealed class DetNode : Node
{
    private SavedTensor? _a;

    public override string Name => "Linalg.Det";

    public static Tensor Apply(Tensor a)
    {
        var (batch, matrices) = MatrixBatch.Read(a, "Linalg.Det", square: true);
        var y = MatrixBatch.Write(batch, matrices.Select(m => m.Determinant()).ToArray());
        return Graph.Needs(a) ? Graph.Attach(y, new DetNode { _a = new(a) }, a) : y;
    }

    internal override Tensor?[] Backward(Tensor dy)
    {
        var a = _a!.Get(this);
        var (batch, matrices) = MatrixBatch.Read(a, Name, square: true);
        var n = a.Shape[-1];
        var cofactors = MatrixBatch.Write(batch, matrices.Select(Cofactors).ToArray(), n, n);
        return [dy.Unsqueeze(-1).Unsqueeze(-1) * cofactors];
    }

    protected override void ReleaseSaved() => _a?.Release();

    /// <summary>adj(A)ᵀ = ∂det(A)/∂A, computed from the SVD so that rank-deficient A works.</summary>
    internal static Matrix<double> Cofactors(Matrix<double> a)
    {
        var svd = a.Svd(computeVectors: true);
        var s = svd.S;
        var n = s.Count;
        // ∏_{j≠i} σⱼ from prefix and suffix products: no division, so zero singular values are fine.
        var others = new double[n];
        var prefix = 1.0;
        for (var i = 0; i < n; i++)
        {
            others[i] = prefix;
            prefix *= s[i];
        }
        var suffix = 1.0;
        for (var i = n - 1; i >= 0; i--)
        {
            others[i] *= suffix;
            suffix *= s[i];
        }
        var sign = Math.Sign(svd.U.Determinant()) * Math.Sign(svd.VT.Determinant());
        return sign * svd.U * Matrix<double>.Build.DiagonalOfDiagonalArray(others) * svd.VT;
    }
}

/// <summary>
/// (sign, log|det A|) for A [..., N, N] from the LU factorization · backward of log|det|: dA = dy·A⁻ᵀ
/// (through <see cref="Linalg.Inverse"/>, so it is differentiable again and throws for singular A).
/// </summary>
internal sealed class SlogDetNode : Node
{
    private SavedTensor? _a;

    public override string Name => "Linalg.SlogDet";

    public static (Tensor Sign, Tensor LogAbsDet) Apply(Tensor a)
    {
        var (batch, matrices) = MatrixBatch.Read(a, "Linalg.SlogDet", square: true);
        var signs = new double[matrices.Length];
        var logs = new double[matrices.Length];
        for (var b = 0; b < matrices.Length; b++) (signs[b], logs[b]) = SignAndLog(matrices[b]);
        var sign = MatrixBatch.Write(batch, signs);
        var log = MatrixBatch.Write(batch, logs);
        return (sign, Graph.Needs(a) ? Graph.Attach(log, new SlogDetNode { _a = new(a) }, a) : log);
    }

    internal override Tensor?[] Backward(Tensor dy)
    {
        var a = _a!.Get(this);
        return [dy.Unsqueeze(-1).Unsqueeze(-1) * Linalg.Inverse(a).Transpose(-1, -2)];
    }

    protected override void ReleaseSaved() => _a?.Release();

    /// <summary>det = sign(P)·∏ uᵢᵢ for PA = LU, summed in logs so large matrices neither overflow nor underflow.</summary>
    private static (double Sign, double Log) SignAndLog(Matrix<double> m)
    {
        var lu = m.LU();
        var sign = PermutationSign(lu.P);
        var log = 0.0;
        for (var i = 0; i < m.RowCount; i++)
        {
            var d = lu.U[i, i];
            if (d == 0) return (0, double.NegativeInfinity);
            sign *= Math.Sign(d);
            log += Math.Log(Math.Abs(d));
        }
        return (sign, log);
    }

    /// <summary>(-1)^(N - number of cycles).</summary>
    private static double PermutationSign(MathNet.Numerics.Permutation p)
    {
        var seen = new bool[p.Dimension];
        var cycles = 0;
        for (var i = 0; i < seen.Length; i++)
        {
            if (seen[i]) continue;
            cycles++;
            for (var j = i; !seen[j]; j = p[j]) seen[j] = true;
        }
        return (seen.Length - cycles) % 2 == 0 ? 1 : -1;
    }
}
