using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Nabla.Backends.Cpu.Gemm;

/// <summary>
/// C (+)= A·B for the short products of one image's convolution (k = a patch, or a few channels), where
/// packing would copy as much as the product reads: B's rows are read in place (row-major, leading
/// dimension ldb), A through any strides (W or Wᵀ). Only a ragged last column panel is copied, zero-padded.
/// Each element of C is one FMA chain over p in order, so results never depend on how callers split work.
/// </summary>
internal static unsafe class UnpackedProduct
{
    private const int MR = 6, NR = 16;

    [ThreadStatic] private static float[]? t_edge;

    /// <summary>True when this path runs natively here (AVX2 + FMA): callers fall back to <see cref="Gemm.Multiply"/> otherwise.</summary>
    public static bool Supported => Gemm.ActivePath != GemmPath.Portable && Vector256.IsHardwareAccelerated;

    /// <summary>
    /// C (+)= A·B on arrays (B and C row-major, A through strides), on the calling thread: unpacked where
    /// <see cref="Supported"/>, else through <see cref="Gemm.Multiply"/>.
    /// </summary>
    public static void Multiply(int m, int n, int k, float[] a, int aOffset, int ars, int acs, float[] b, int bOffset, int ldb,
        float[] c, int cOffset, int ldc, bool accumulate)
    {
        if (!Supported || m == 0 || n == 0 || k == 0)
        {
            Gemm.Multiply(m, n, k, a, aOffset, ars, acs, b, bOffset, ldb, 1, c, cOffset, ldc, accumulate);
            return;
        }
        fixed (float* pa = &a[aOffset], pb = &b[bOffset], pc = &c[cOffset])
        {
            Multiply(m, n, k, pa, ars, acs, pb, ldb, pc, ldc, accumulate);
        }
    }

    /// <summary>C[i, j] (+)= Σ_p A[i·ars + p·acs] · B[p·ldb + j] for an m×k A, a k×n B and C with leading dimension ldc.</summary>
    public static void Multiply(int m, int n, int k, float* a, int ars, int acs, float* b, int ldb, float* c, int ldc, bool accumulate) =>
        Multiply(m, n, k, a, ars, acs, new StridedRows(b, ldb), c, ldc, accumulate);

    /// <summary>
    /// As <see cref="Multiply(int, int, int, float*, int, int, float*, int, float*, int, bool)"/> with row p of B starting at
    /// b + offsets[p]: B's rows may overlap, e.g. shifted windows of one image (a stride-1 convolution without im2col).
    /// </summary>
    public static void MultiplyShifted(int m, int n, int k, float* a, int ars, int acs, float* b, int* offsets, float* c, int ldc, bool accumulate) =>
        Multiply(m, n, k, a, ars, acs, new ShiftedRows(b, offsets), c, ldc, accumulate);

    private static void Multiply<TRows>(int m, int n, int k, float* a, int ars, int acs, TRows b, float* c, int ldc, bool accumulate)
        where TRows : struct, IRows
    {
        var edgeColumns = n % NR;
        var fullColumns = n - edgeColumns;
        var tile = stackalloc float[MR * NR];
        for (var j = 0; j < n; j += NR)
        {
            if (j == fullColumns)
            {
                // The ragged last panel: copy its columns zero-padded to NR, so the kernel never reads past B.
                var width = edgeColumns;
                var edge = t_edge is { } cached && cached.Length >= k * NR ? cached : t_edge = GC.AllocateUninitializedArray<float>(Math.Max(k, 64) * NR, pinned: true);
                fixed (float* e = edge)
                {
                    for (var p = 0; p < k; p++)
                    {
                        var row = new Span<float>(e + p * NR, NR);
                        new ReadOnlySpan<float>(b.Row(p) + j, width).CopyTo(row);
                        row[width..].Clear();
                    }
                    Rows(m, k, a, ars, acs, new StridedRows(e, NR), 0, c + j, ldc, accumulate, width, tile);
                }
                continue;
            }
            Rows(m, k, a, ars, acs, b, j, c + j, ldc, accumulate, NR, tile);
        }
    }

    /// <summary>How the kernel finds row p of B.</summary>
    private interface IRows
    {
        float* Row(int p);
    }

    private readonly struct StridedRows(float* b, long ld) : IRows
    {
        public float* Row(int p) => b + p * ld;
    }

    private readonly struct ShiftedRows(float* b, int* offsets) : IRows
    {
        public float* Row(int p) => b + offsets[p];
    }

    /// <summary>
    /// All row tiles of one column panel. Full 6×16 tiles, 4×16 tiles (e.g. the last rows of 16 output channels) and
    /// 6×8 tiles (a last panel 8 wide) write C directly; other ragged tiles go through <paramref name="tile"/>.
    /// </summary>
    private static void Rows<TRows>(int m, int k, float* a, int ars, int acs, TRows b, int column, float* c, int ldc, bool accumulate, int width, float* tile)
        where TRows : struct, IRows
    {
        for (var i = 0; i < m; i += MR)
        {
            var rows = Math.Min(MR, m - i);
            var aTile = a + (long)i * ars;
            var cTile = c + (long)i * ldc;
            if (rows == MR && width == NR)
            {
                Tile<Shape6x16, TRows>(k, aTile, ars, acs, b, column, cTile, ldc, accumulate);
                continue;
            }
            if (rows == 4 && width == NR)
            {
                Tile<Shape4x16, TRows>(k, aTile, ars, acs, b, column, cTile, ldc, accumulate);
                continue;
            }
            if (rows == MR && width == 8)
            {
                Tile<Shape6x8, TRows>(k, aTile, ars, acs, b, column, cTile, ldc, accumulate);
                continue;
            }
            // Missing rows repeat row 0 of the tile (valid memory); only the real rows and columns are kept.
            Tile<Shape6x16, TRows>(k, aTile, ars, acs, b, column, tile, NR, false, rows);
            for (var r = 0; r < rows; r++)
            {
                var source = new ReadOnlySpan<float>(tile + r * NR, width);
                var target = new Span<float>(cTile + (long)r * ldc, width);
                if (accumulate) System.Numerics.Tensors.TensorPrimitives.Add(source, target, target);
                else source.CopyTo(target);
            }
        }
    }

    /// <summary>A tile's rows and whether it is two vectors (16 columns) wide or one (8); constants the JIT folds per shape.</summary>
    private interface ITileShape
    {
        static abstract int Rows { get; }
        static abstract bool Wide { get; }
    }

    private readonly struct Shape6x16 : ITileShape
    {
        public static int Rows => 6;
        public static bool Wide => true;
    }

    private readonly struct Shape4x16 : ITileShape
    {
        public static int Rows => 4;
        public static bool Wide => true;
    }

    private readonly struct Shape6x8 : ITileShape
    {
        public static int Rows => 6;
        public static bool Wide => false;
    }

    /// <summary>
    /// A tile of up to 6×16: a Vector256 accumulator per row and vector, two (or one) B loads and a broadcast of A per
    /// row per step of p; the shape's unused rows and vectors are compiled away. With <paramref name="rows"/> below the
    /// shape's, the rows past it read A's row 0 (their results are discarded).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile<TShape, TRows>(int k, float* a, int ars, int acs, TRows rowsOfB, int column, float* c, int ldc, bool accumulate, int rows = MR)
        where TShape : struct, ITileShape
        where TRows : struct, IRows
    {
        // Offsets of the six A rows; a short tile points its missing rows at row 0.
        long o1 = rows > 1 ? ars : 0, o2 = rows > 2 ? 2L * ars : 0, o3 = rows > 3 ? 3L * ars : 0, o4 = rows > 4 ? 4L * ars : 0, o5 = rows > 5 ? 5L * ars : 0;
        var c0_0 = Vector256<float>.Zero; var c0_1 = Vector256<float>.Zero;
        var c1_0 = Vector256<float>.Zero; var c1_1 = Vector256<float>.Zero;
        var c2_0 = Vector256<float>.Zero; var c2_1 = Vector256<float>.Zero;
        var c3_0 = Vector256<float>.Zero; var c3_1 = Vector256<float>.Zero;
        var c4_0 = Vector256<float>.Zero; var c4_1 = Vector256<float>.Zero;
        var c5_0 = Vector256<float>.Zero; var c5_1 = Vector256<float>.Zero;
        for (var p = 0; p < k; p++)
        {
            var b = rowsOfB.Row(p) + column;
            var b0 = Vector256.Load(b);
            var b1 = TShape.Wide ? Vector256.Load(b + 8) : default;
            var x = Vector256.Create(a[0]);
            c0_0 = Vector256.FusedMultiplyAdd(x, b0, c0_0);
            if (TShape.Wide) c0_1 = Vector256.FusedMultiplyAdd(x, b1, c0_1);
            x = Vector256.Create(a[o1]);
            c1_0 = Vector256.FusedMultiplyAdd(x, b0, c1_0);
            if (TShape.Wide) c1_1 = Vector256.FusedMultiplyAdd(x, b1, c1_1);
            x = Vector256.Create(a[o2]);
            c2_0 = Vector256.FusedMultiplyAdd(x, b0, c2_0);
            if (TShape.Wide) c2_1 = Vector256.FusedMultiplyAdd(x, b1, c2_1);
            x = Vector256.Create(a[o3]);
            c3_0 = Vector256.FusedMultiplyAdd(x, b0, c3_0);
            if (TShape.Wide) c3_1 = Vector256.FusedMultiplyAdd(x, b1, c3_1);
            if (TShape.Rows > 4)
            {
                x = Vector256.Create(a[o4]);
                c4_0 = Vector256.FusedMultiplyAdd(x, b0, c4_0);
                if (TShape.Wide) c4_1 = Vector256.FusedMultiplyAdd(x, b1, c4_1);
                x = Vector256.Create(a[o5]);
                c5_0 = Vector256.FusedMultiplyAdd(x, b0, c5_0);
                if (TShape.Wide) c5_1 = Vector256.FusedMultiplyAdd(x, b1, c5_1);
            }
            a += acs;
        }
        Finish(c0_0, c0_1, c, accumulate, TShape.Wide);
        Finish(c1_0, c1_1, c + ldc, accumulate, TShape.Wide);
        Finish(c2_0, c2_1, c + 2 * ldc, accumulate, TShape.Wide);
        Finish(c3_0, c3_1, c + 3 * ldc, accumulate, TShape.Wide);
        if (TShape.Rows > 4)
        {
            Finish(c4_0, c4_1, c + 4 * ldc, accumulate, TShape.Wide);
            Finish(c5_0, c5_1, c + 5 * ldc, accumulate, TShape.Wide);
        }
    }

    /// <summary>Stores one row of a tile (adding C's values first when accumulating).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Finish(Vector256<float> low, Vector256<float> high, float* c, bool accumulate, bool wide)
    {
        if (accumulate)
        {
            low += Vector256.Load(c);
            if (wide) high += Vector256.Load(c + 8);
        }
        Vector256.Store(low, c);
        if (wide) Vector256.Store(high, c + 8);
    }
}
