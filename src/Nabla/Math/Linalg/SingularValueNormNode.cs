using MathNet.Numerics.LinearAlgebra;

namespace Nabla.Mathematics;

/// <summary>
/// y = σ₁ (spectral norm) or y = Σσᵢ (nuclear norm) of A [..., M, N] -> [...] ·
/// backward: dA = dy·u₁v₁ᵀ, or dA = dy·U_r·V_rᵀ over the singular values above the rank tolerance
/// (a subgradient where σ₁ is repeated or A is rank-deficient). First-order only.
/// </summary>
internal sealed class SingularValueNormNode : Node
{
    private Tensor? _direction;

    public override string Name => "Linalg.MatrixNorm";

    public static Tensor Apply(Tensor a, bool nuclear)
    {
        var (batch, matrices) = MatrixBatch.Read(a, "Linalg.MatrixNorm");
        int m = a.Shape[-2], n = a.Shape[-1];
        var norms = new double[matrices.Length];
        var directions = new Matrix<double>[matrices.Length];
        for (var b = 0; b < matrices.Length; b++)
        {
            var svd = matrices[b].Svd(computeVectors: true);
            var s = svd.S;
            var used = nuclear ? Linalg.RankOf(s, m, n) : 1;
            norms[b] = nuclear ? s.Sum() : s[0];
            var u = svd.U.SubMatrix(0, m, 0, used);
            var vt = svd.VT.SubMatrix(0, used, 0, n);
            directions[b] = u * vt;
        }
        var y = MatrixBatch.Write(batch, norms);
        if (!Graph.Needs(a)) return y;
        return Graph.Attach(y, new SingularValueNormNode { _direction = MatrixBatch.Write(batch, directions, m, n) }, a);
    }

    internal override Tensor?[] Backward(Tensor dy) => [dy.Unsqueeze(-1).Unsqueeze(-1) * _direction!];

    protected override void ReleaseSaved() => _direction = null;
}
