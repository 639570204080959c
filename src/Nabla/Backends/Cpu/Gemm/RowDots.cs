using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Nabla.Backends.Cpu.Gemm;

/// <summary>
/// C = A·Bᵀ for row-major A [m, k] and B [n, k] when m and n are small and k is long (a convolution's
/// weight gradient: output channels × patch size, summed over every output position). Each C[i, j] is
/// a dot product of two contiguous rows, so nothing is packed: packing would copy as much data as the
/// product reads. Every element's summation order is fixed by the shapes, never by how callers split work.
/// </summary>
internal static unsafe class RowDots
{
    /// <summary>C[i, j] = Σ_p A[i·lda + p] · B[j·ldb + p], overwriting C (leading dimension ldc).</summary>
    public static void Multiply(int m, int n, int k, float* a, int lda, float* b, int ldb, float* c, int ldc) =>
        Multiply(m, n, k, a, lda, b, ldb, null, c, ldc);

    /// <summary>C[i, j] = Σ_p A[i·lda + p] · B[offsets[j] + p]: rows of B that may overlap (shifted windows of one image).</summary>
    public static void MultiplyShifted(int m, int n, int k, float* a, int lda, float* b, int* offsets, float* c, int ldc) =>
        Multiply(m, n, k, a, lda, b, 0, offsets, c, ldc);

    private static void Multiply(int m, int n, int k, float* a, int lda, float* b, int ldb, int* offsets, float* c, int ldc)
    {
        float* Row(int j) => offsets is null ? b + (long)j * ldb : b + offsets[j];
        var wide = Gemm.ActivePath != GemmPath.Portable && Vector256.IsHardwareAccelerated && k >= 8;
        var i = 0;
        if (wide)
        {
            for (; i + 2 <= m; i += 2)
            {
                var j = 0;
                for (; j + 4 <= n; j += 4) Dots2x4(k, a + (long)i * lda, lda, Row(j), Row(j + 1), Row(j + 2), Row(j + 3), c + (long)i * ldc + j, ldc);
                for (; j < n; j++)
                {
                    c[(long)i * ldc + j] = Dot(a + (long)i * lda, Row(j), k);
                    c[(long)(i + 1) * ldc + j] = Dot(a + (long)(i + 1) * lda, Row(j), k);
                }
            }
        }
        for (; i < m; i++)
        {
            for (var j = 0; j < n; j++) c[(long)i * ldc + j] = Dot(a + (long)i * lda, Row(j), k);
        }
    }

    /// <summary>Eight zero lanes, then eight all-ones lanes: the 8 ints at offset r keep the last r lanes.</summary>
    private static ReadOnlySpan<int> TailMasks => [0, 0, 0, 0, 0, 0, 0, 0, -1, -1, -1, -1, -1, -1, -1, -1];

    private static float Dot(float* x, float* y, int k) => TensorPrimitives.Dot(new ReadOnlySpan<float>(x, k), new ReadOnlySpan<float>(y, k));

    /// <summary>A 2×4 block of C: two rows of A against four rows of B, eight independent FMA chains over k.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dots2x4(int k, float* a0, int lda, float* b0, float* b1, float* b2, float* b3, float* c, int ldc)
    {
        var a1 = a0 + lda;
        Vector256<float> s00 = default, s01 = default, s02 = default, s03 = default;
        Vector256<float> s10 = default, s11 = default, s12 = default, s13 = default;
        var p = 0;
        for (; p + 8 <= k; p += 8)
        {
            var x0 = Vector256.Load(a0 + p);
            var x1 = Vector256.Load(a1 + p);
            var y = Vector256.Load(b0 + p);
            s00 = Vector256.FusedMultiplyAdd(x0, y, s00);
            s10 = Vector256.FusedMultiplyAdd(x1, y, s10);
            y = Vector256.Load(b1 + p);
            s01 = Vector256.FusedMultiplyAdd(x0, y, s01);
            s11 = Vector256.FusedMultiplyAdd(x1, y, s11);
            y = Vector256.Load(b2 + p);
            s02 = Vector256.FusedMultiplyAdd(x0, y, s02);
            s12 = Vector256.FusedMultiplyAdd(x1, y, s12);
            y = Vector256.Load(b3 + p);
            s03 = Vector256.FusedMultiplyAdd(x0, y, s03);
            s13 = Vector256.FusedMultiplyAdd(x1, y, s13);
        }
        if (p < k)
        {
            // The last k mod 8 products: reload the final 8 floats and mask off the lanes already counted
            // (in both operands, so an infinity there cannot turn into 0·∞ = NaN).
            var tail = Vector256.LoadUnsafe(ref MemoryMarshal.GetReference(TailMasks), (nuint)(k - p)).AsSingle();
            p = k - 8;
            var x0 = Vector256.Load(a0 + p) & tail;
            var x1 = Vector256.Load(a1 + p) & tail;
            var y = Vector256.Load(b0 + p) & tail;
            s00 = Vector256.FusedMultiplyAdd(x0, y, s00);
            s10 = Vector256.FusedMultiplyAdd(x1, y, s10);
            y = Vector256.Load(b1 + p) & tail;
            s01 = Vector256.FusedMultiplyAdd(x0, y, s01);
            s11 = Vector256.FusedMultiplyAdd(x1, y, s11);
            y = Vector256.Load(b2 + p) & tail;
            s02 = Vector256.FusedMultiplyAdd(x0, y, s02);
            s12 = Vector256.FusedMultiplyAdd(x1, y, s12);
            y = Vector256.Load(b3 + p) & tail;
            s03 = Vector256.FusedMultiplyAdd(x0, y, s03);
            s13 = Vector256.FusedMultiplyAdd(x1, y, s13);
        }
        float r00 = Vector256.Sum(s00), r01 = Vector256.Sum(s01), r02 = Vector256.Sum(s02), r03 = Vector256.Sum(s03);
        float r10 = Vector256.Sum(s10), r11 = Vector256.Sum(s11), r12 = Vector256.Sum(s12), r13 = Vector256.Sum(s13);
        c[0] = r00;
        c[1] = r01;
        c[2] = r02;
        c[3] = r03;
        c[ldc] = r10;
        c[ldc + 1] = r11;
        c[ldc + 2] = r12;
        c[ldc + 3] = r13;
    }
}
