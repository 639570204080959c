using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Nabla.Backends.Cpu.Gemm;

/// <summary>Which micro-kernel family GEMM uses; <see cref="Auto"/> picks the widest the CPU runs natively.</summary>
internal enum GemmPath
{
    Auto,
    Vector512,
    Vector256,
    Portable,
}

/// <summary>
/// Single-precision GEMM, C (+)= A·B, in the BLIS structure: B is packed into KC×NC panels (L2/L3),
/// A into MC×KC blocks (L2), and a register-tiled micro-kernel runs over MR×NR tiles. Operands are
/// read through arbitrary row/column strides, so Aᵀ and Bᵀ cost no copy beyond the packing that
/// happens anyway. Work is split over the worker pool by columns (or rows, when C is tall and
/// narrow); every element of C is computed by one thread with the same FMA chain, so the result
/// is bitwise identical for any thread count.
/// </summary>
internal static unsafe class Gemm
{
    /// <summary>Test switch: forces one kernel family (the slow emulated paths too) regardless of the CPU.</summary>
    internal static GemmPath ForcedPath { get; set; } = GemmPath.Auto;

    /// <summary>Up to this many rows of C (e.g. batch-1 inference), packing costs more than it saves: dot or axpy loops instead.</summary>
    internal const int SmallRows = 4;

    /// <summary>Below this many multiply-adds, one thread is faster than waking another.</summary>
    private const long ParallelThreshold = 48 * 48 * 48;

    internal static GemmPath ActivePath => ForcedPath != GemmPath.Auto ? ForcedPath
        : Vector512.IsHardwareAccelerated && Avx512F.IsSupported ? GemmPath.Vector512
        : Vector256.IsHardwareAccelerated && Fma.IsSupported ? GemmPath.Vector256
        : GemmPath.Portable;

    /// <summary>
    /// C[i,j] (+)= Σ_p A[i,p]·B[p,j] for an m×k A at a[aOffset + i·aRowStride + p·aColStride], a k×n B
    /// likewise, and C row-major with leading dimension ldc. Without <paramref name="accumulate"/>, C is overwritten.
    /// </summary>
    public static void Multiply(
        int m, int n, int k,
        float[] a, int aOffset, int aRowStride, int aColStride,
        float[] b, int bOffset, int bRowStride, int bColStride,
        float[] c, int cOffset, int ldc,
        bool accumulate)
    {
        if (m == 0 || n == 0) return;
        if (k == 0)
        {
            if (!accumulate)
            {
                for (var i = 0; i < m; i++) c.AsSpan(cOffset + i * ldc, n).Clear();
            }
            return;
        }
        if (m <= SmallRows && SmallProduct.TryMultiply(m, n, k, a, aOffset, aRowStride, aColStride, b, bOffset, bRowStride, bColStride, c, cOffset, ldc, accumulate))
        {
            return;
        }
        var job = GemmJob.Rent();
        job.Set(Tiling.For(ActivePath), m, n, k, a, aOffset, aRowStride, aColStride, b, bOffset, bRowStride, bColStride, c, cOffset, ldc, accumulate);
        var threads = (long)m * n * k < ParallelThreshold ? 1 : WorkerPool.Shared.Threads;
        job.Partition(threads);
        job.Run(WorkerPool.Shared);
        job.Return();
    }
}

/// <summary>Block sizes and the micro-kernel of one path.</summary>
internal sealed unsafe class Tiling
{
    private static readonly Tiling Wide = new(GemmPath.Vector512, 12, 32, 384, 96, 1536, &MicroKernels.Vector512Tile12x32);
    private static readonly Tiling Avx2 = new(GemmPath.Vector256, 6, 16, 512, 60, 2048, &MicroKernels.Vector256Tile6x16);
    private static readonly Tiling Portable = new(GemmPath.Portable, 4, 8, 256, 64, 512, &MicroKernels.Vector128Tile4x8);

    internal Tiling(GemmPath path, int mr, int nr, int kc, int mc, int nc, delegate*<int, float*, float*, float*, int, bool, void> kernel)
    {
        Path = path;
        MR = mr;
        NR = nr;
        KC = kc;
        MC = mc;
        NC = nc;
        Kernel = kernel;
    }

    public static Tiling For(GemmPath path) => path switch
    {
        GemmPath.Vector512 => Wide,
        GemmPath.Vector256 => Avx2,
        _ => Portable,
    };

    public GemmPath Path { get; }
    public int MR { get; }
    public int NR { get; }
    public int KC { get; }
    public int MC { get; }
    public int NC { get; }
    public delegate*<int, float*, float*, float*, int, bool, void> Kernel { get; }
}
