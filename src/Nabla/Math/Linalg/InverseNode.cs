namespace Nabla.Mathematics;

/// <summary>
/// Y = A⁻¹ for A [..., N, N] (LU in double after a condition check) · backward: dA = -Yᵀ·dY·Yᵀ.
/// The backward uses the saved output through MatMul, so it is itself differentiable.
/// </summary>
internal sealed class InverseNode : Node
{
    private SavedTensor? _y;

    public override string Name => "Linalg.Inverse";

    public static Tensor Apply(Tensor a)
    {
        var (batch, matrices) = MatrixBatch.Read(a, "Linalg.Inverse", square: true);
        for (var b = 0; b < matrices.Length; b++) Linalg.CheckInvertible(matrices[b], "Linalg.Inverse", batch, b);
        var n = a.Shape[-1];
        var y = MatrixBatch.Write(batch, matrices.Select(m => m.Inverse()).ToArray(), n, n);
        return Graph.Needs(a) ? Graph.Attach(y, new InverseNode { _y = new(y) }, a) : y;
    }

    internal override Tensor?[] Backward(Tensor dy)
    {
        var yt = _y!.Get(this).Transpose(-1, -2);
        return [-yt.MatMul(dy).MatMul(yt)];
    }

    protected override void ReleaseSaved() => _y?.Release();
}

/// <summary>
/// X = A⁻¹B for A [..., N, N], B [..., N, K] with equal batch axes (LU in double after a condition check) ·
/// backward: dB = Solve(Aᵀ, dX), dA = -dB·Xᵀ.
/// </summary>
internal sealed class SolveNode : Node
{
    private SavedTensor? _a, _x;

    public override string Name => "Linalg.Solve";

    public static Tensor Apply(Tensor a, Tensor b)
    {
        var (batch, matrices) = MatrixBatch.Read(a, "Linalg.Solve", square: true);
        var (_, rhs) = MatrixBatch.Read(b, "Linalg.Solve");
        var solutions = new MathNet.Numerics.LinearAlgebra.Matrix<double>[matrices.Length];
        for (var i = 0; i < matrices.Length; i++)
        {
            Linalg.CheckInvertible(matrices[i], "Linalg.Solve", batch, i);
            solutions[i] = matrices[i].LU().Solve(rhs[i]);
        }
        var x = MatrixBatch.Write(batch, solutions, b.Shape[-2], b.Shape[-1]);
        return Graph.Needs(a, b) ? Graph.Attach(x, new SolveNode { _a = new(a), _x = new(x) }, a, b) : x;
    }

    internal override Tensor?[] Backward(Tensor dx)
    {
        var a = _a!.Get(this);
        var db = Linalg.Solve(a.Transpose(-1, -2), dx);
        var da = NeedsGrad(0) ? -db.MatMul(_x!.Get(this).Transpose(-1, -2)) : null;
        return [da, NeedsGrad(1) ? db : null];
    }

    protected override void ReleaseSaved()
    {
        _a?.Release();
        _x?.Release();
    }
}
