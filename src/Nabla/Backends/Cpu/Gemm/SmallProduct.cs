using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Nabla.Backends.Cpu.Gemm;

/// <summary>
/// C (+)= A·B for a few rows of A, without packing: when B's columns are contiguous (B = Wᵀ, as in x·Wᵀ) each C[i,j]
/// is one dot product of contiguous vectors; when B's rows are contiguous each row of C is a sum of scaled B rows.
/// Every element's summation order is fixed, so results do not depend on the thread count.
/// </summary>
internal static unsafe class SmallProduct
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
            var wide = Gemm.ActivePath != GemmPath.Portable && Vector256.IsHardwareAccelerated;
            for (var i = 0; i < m; i++)
            {
                var row = a.AsSpan(aOffset + i * aRowStride, k);
                var target = c.AsSpan(cOffset + i * ldc, n);
                var j = 0;
                if (wide && k >= 8)
                {
                    fixed (float* x = row)
                    fixed (float* w = &b[bOffset])
                    fixed (float* y = target)
                    {
                        for (; j + 4 <= n; j += 4) FourDots(x, w + (long)j * bColStride, bColStride, k, y + j, accumulate);
                    }
                }
                for (; j < n; j++)
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

    /// <summary>
    /// y[r] (+)= x · w[r·ldw ..] for r = 0..3 (k ≥ 8): one load of x feeds four rows, and two accumulators per row
    /// (even and odd 8-float blocks) keep eight FMA chains in flight, so the loop runs at load rather than FMA-latency speed.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FourDots(float* x, float* w, int ldw, int k, float* y, bool accumulate)
    {
        float* w0 = w, w1 = w + ldw, w2 = w + 2L * ldw, w3 = w + 3L * ldw;
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
        Vector256<float> b0 = default, b1 = default, b2 = default, b3 = default;
        var p = 0;
        for (; p + 16 <= k; p += 16)
        {
            var xa = Vector256.Load(x + p);
            var xb = Vector256.Load(x + p + 8);
            a0 = Vector256.FusedMultiplyAdd(Vector256.Load(w0 + p), xa, a0);
            a1 = Vector256.FusedMultiplyAdd(Vector256.Load(w1 + p), xa, a1);
            a2 = Vector256.FusedMultiplyAdd(Vector256.Load(w2 + p), xa, a2);
            a3 = Vector256.FusedMultiplyAdd(Vector256.Load(w3 + p), xa, a3);
            b0 = Vector256.FusedMultiplyAdd(Vector256.Load(w0 + p + 8), xb, b0);
            b1 = Vector256.FusedMultiplyAdd(Vector256.Load(w1 + p + 8), xb, b1);
            b2 = Vector256.FusedMultiplyAdd(Vector256.Load(w2 + p + 8), xb, b2);
            b3 = Vector256.FusedMultiplyAdd(Vector256.Load(w3 + p + 8), xb, b3);
        }
        if (p + 8 <= k)
        {
            var xa = Vector256.Load(x + p);
            a0 = Vector256.FusedMultiplyAdd(Vector256.Load(w0 + p), xa, a0);
            a1 = Vector256.FusedMultiplyAdd(Vector256.Load(w1 + p), xa, a1);
            a2 = Vector256.FusedMultiplyAdd(Vector256.Load(w2 + p), xa, a2);
            a3 = Vector256.FusedMultiplyAdd(Vector256.Load(w3 + p), xa, a3);
            p += 8;
        }
        float s0 = Vector256.Sum(a0 + b0), s1 = Vector256.Sum(a1 + b1), s2 = Vector256.Sum(a2 + b2), s3 = Vector256.Sum(a3 + b3);
        for (; p < k; p++)
        {
            var xp = x[p];
            s0 = MathF.FusedMultiplyAdd(w0[p], xp, s0);
            s1 = MathF.FusedMultiplyAdd(w1[p], xp, s1);
            s2 = MathF.FusedMultiplyAdd(w2[p], xp, s2);
            s3 = MathF.FusedMultiplyAdd(w3[p], xp, s3);
        }
        if (accumulate)
        {
            s0 += y[0];
            s1 += y[1];
            s2 += y[2];
            s3 += y[3];
        }
        y[0] = s0;
        y[1] = s1;
        y[2] = s2;
        y[3] = s3;
    }
}
