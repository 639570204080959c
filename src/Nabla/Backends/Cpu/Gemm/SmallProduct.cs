using System.Numerics.Tensors;

namespace Nabla.Backends.Cpu.Gemm;

/// <summary>
/// C (+)= A·B for a few rows of A, without packing: when B's columns are contiguous (B = Wᵀ, as in x·Wᵀ) each C[i,j]
/// is one dot product of contiguous vectors; when B's rows are contiguous each row of C is a sum of scaled B rows.
/// Every element's summation order is fixed, so results do not depend on the thread count.
/// </summary>
internal static class SmallProduct
{
    public static bool TryMultiply(
        int m, int n, int k,
        float[] a, int aOffset, int aRowStride, int aColStride,
        float[] b, int bOffset, int bRowStride, int bColStride,
        float[] c, int cOffset, int ldc, bool accumulate)
    {
        if (aColStride != 1) return false;
        if (bRowStride == 1)
        {
            // C[i, j] = A[i, :] · B[:, j], both contiguous runs of k floats.
            for (var i = 0; i < m; i++)
            {
                var row = a.AsSpan(aOffset + i * aRowStride, k);
                var target = c.AsSpan(cOffset + i * ldc, n);
                for (var j = 0; j < n; j++)
                {
                    var dot = TensorPrimitives.Dot(row, b.AsSpan(bOffset + j * bColStride, k));
                    target[j] = accumulate ? target[j] + dot : dot;
                }
            }
            return true;
        }
        if (bColStride == 1)
        {
            // C[i, :] = Σ_p A[i, p] · B[p, :], each B row contiguous.
            for (var i = 0; i < m; i++)
            {
                var target = c.AsSpan(cOffset + i * ldc, n);
                if (!accumulate) target.Clear();
                for (var p = 0; p < k; p++)
                {
                    TensorPrimitives.MultiplyAdd(b.AsSpan(bOffset + p * bRowStride, n), a[aOffset + i * aRowStride + p], target, target);
                }
            }
            return true;
        }
        return false;
    }
}
