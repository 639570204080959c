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
        Sum(m, n, k, 1, &a, lda, &b, ldb, null, c, ldc);

    /// <summary>C[i, j] = Σ_p A[i·lda + p] · B[offsets[j] + p]: rows of B that may overlap (shifted windows of one image).</summary>
    public static void MultiplyShifted(int m, int n, int k, float* a, int lda, float* b, int* offsets, float* c, int ldc) =>
        Sum(m, n, k, 1, &a, lda, &b, 0, offsets, c, ldc);

    /// <summary>
    /// C[i, j] = Σ_t Σ_p a[t][i·lda + p] · b[t][offsets[j] + p] over <paramref name="count"/> pairs (images), in order of t:
    /// the FMA chains run on through all of them and each element is summed across lanes once.
    /// </summary>
    public static void MultiplyShiftedSum(int m, int n, int k, int count, float** a, int lda, float** b, int* offsets, float* c, int ldc) =>
        Sum(m, n, k, count, a, lda, b, 0, offsets, c, ldc);

    private static void Sum(int m, int n, int k, int count, float** a, int lda, float** b, int ldb, int* offsets, float* c, int ldc)
    {
        var rows = new BRows(b, ldb, offsets);
        var wide = Gemm.ActivePath != GemmPath.Portable && Vector256.IsHardwareAccelerated && k >= 8;
        var i = 0;
        if (wide)
        {
            for (; i + 2 <= m; i += 2)
            {
                var j = 0;
                for (; j + 4 <= n; j += 4) Dots2x4(k, count, a, (long)i * lda, lda, rows, j, c + (long)i * ldc + j, ldc);
                for (; j < n; j++)
                {
                    c[(long)i * ldc + j] = Dots(k, count, a, (long)i * lda, rows, j);
                    c[(long)(i + 1) * ldc + j] = Dots(k, count, a, (long)(i + 1) * lda, rows, j);
                }
            }
        }
        for (; i < m; i++)
        {
            for (var j = 0; j < n; j++) c[(long)i * ldc + j] = Dots(k, count, a, (long)i * lda, rows, j);
        }
    }

    /// <summary>Row j of B in pair t: b[t] + j·ldb, or b[t] + offsets[j].</summary>
    private readonly struct BRows(float** b, int ldb, int* offsets)
    {
        public float* Row(int t, int j) => offsets is null ? b[t] + (long)j * ldb : b[t] + offsets[j];
    }

    /// <summary>Eight zero lanes, then eight all-ones lanes: the 8 ints at offset r keep the last r lanes.</summary>
    private static ReadOnlySpan<int> TailMasks => [0, 0, 0, 0, 0, 0, 0, 0, -1, -1, -1, -1, -1, -1, -1, -1];

    /// <summary>Σ_t a[t][row..]·B_t row j, one dot product per pair, added in order of t.</summary>
    private static float Dots(int k, int count, float** a, long row, BRows rows, int j)
    {
        var sum = 0f;
        for (var t = 0; t < count; t++) sum += TensorPrimitives.Dot(new ReadOnlySpan<float>(a[t] + row, k), new ReadOnlySpan<float>(rows.Row(t, j), k));
        return sum;
    }

    /// <summary>A 2×4 block of C: two rows of A against four rows of B, eight independent FMA chains over k and every pair.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dots2x4(int k, int count, float** a, long row, int lda, BRows rows, int j, float* c, int ldc)
    {
        Vector256<float> s00 = default, s01 = default, s02 = default, s03 = default;
        Vector256<float> s10 = default, s11 = default, s12 = default, s13 = default;
        var tail = k % 8 == 0 ? default : Vector256.LoadUnsafe(ref MemoryMarshal.GetReference(TailMasks), (nuint)(k % 8)).AsSingle();
        for (var t = 0; t < count; t++)
        {
            float* a0 = a[t] + row, a1 = a0 + lda;
            float* b0 = rows.Row(t, j), b1 = rows.Row(t, j + 1), b2 = rows.Row(t, j + 2), b3 = rows.Row(t, j + 3);
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
        }
        c[0] = Vector256.Sum(s00);
        c[1] = Vector256.Sum(s01);
        c[2] = Vector256.Sum(s02);
        c[3] = Vector256.Sum(s03);
        c[ldc] = Vector256.Sum(s10);
        c[ldc + 1] = Vector256.Sum(s11);
        c[ldc + 2] = Vector256.Sum(s12);
        c[ldc + 3] = Vector256.Sum(s13);
    }
}
