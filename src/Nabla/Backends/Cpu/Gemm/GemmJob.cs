using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Nabla.Backends.Cpu.Gemm;

/// <summary>
/// One GEMM call's operands and its split into parts (contiguous column or row ranges, aligned to
/// the tile), reused per calling thread so steady-state calls allocate nothing. When the columns are
/// split over several threads, every part needs all of A: a large A is then packed once, by all
/// threads together, before the parts run, instead of once per thread.
/// </summary>
internal sealed unsafe class GemmJob : IParallelWork
{
    [ThreadStatic] private static GemmJob? t_cached;
    [ThreadStatic] private static float[]? t_packA;
    [ThreadStatic] private static float[]? t_packB;

    private Tiling _t = null!;
    private int _m, _n, _k;
    private float[] _a = null!, _b = null!, _c = null!;
    private int _aOffset, _ars, _acs, _bOffset, _brs, _bcs, _cOffset, _ldc;
    private bool _accumulate;
    private bool _splitColumns;
    private int _chunk;
    private float[]? _sharedA;
    private bool _packsSharedA, _packingPhase;
    private int _sliverChunk;

    /// <summary>Below this many multiply-adds, each thread packing its own copy of A costs less than a second parallel region.</summary>
    internal const long SharedPackingThreshold = 768L * 768 * 768;

    /// <summary>
    /// The largest packed A shared between threads, in floats (8 MB): it is read back from the shared cache. A larger one
    /// (measured at 16 MB) comes back from memory and costs what it saved, so each thread packs its own blocks instead.
    /// </summary>
    internal const long SharedPackingLimit = 1L << 21;

    public int Parts { get; private set; }

    public static GemmJob Rent()
    {
        var job = t_cached ?? new GemmJob();
        t_cached = null;
        return job;
    }

    public void Return()
    {
        _a = _b = _c = null!;
        t_cached = this;
    }

    public void Set(Tiling tiling, int m, int n, int k,
        float[] a, int aOffset, int ars, int acs,
        float[] b, int bOffset, int brs, int bcs,
        float[] c, int cOffset, int ldc, bool accumulate)
    {
        _t = tiling;
        (_m, _n, _k) = (m, n, k);
        (_a, _aOffset, _ars, _acs) = (a, aOffset, ars, acs);
        (_b, _bOffset, _brs, _bcs) = (b, bOffset, brs, bcs);
        (_c, _cOffset, _ldc) = (c, cOffset, ldc);
        _accumulate = accumulate;
    }

    /// <summary>Splits the larger of C's two sides into at most <paramref name="threads"/> tile-aligned ranges.</summary>
    public void Partition(int threads)
    {
        _splitColumns = _n >= _m;
        var length = _splitColumns ? _n : _m;
        var tile = _splitColumns ? _t.NR : _t.MR;
        var tiles = (length + tile - 1) / tile;
        var parts = Math.Clamp(threads, 1, tiles);
        _chunk = (tiles + parts - 1) / parts * tile;
        Parts = (length + _chunk - 1) / _chunk;
        var mr = _t.MR;
        var slivers = (_m + mr - 1) / mr;
        _packsSharedA = _splitColumns && Parts > 1 && (long)_m * _n * _k >= SharedPackingThreshold && (long)slivers * mr * _k <= SharedPackingLimit;
        _sliverChunk = (slivers + Parts - 1) / Parts;
    }

    /// <summary>Runs the parts on <paramref name="pool"/>, after packing a shared A when <see cref="Partition"/> chose to.</summary>
    public void Run(WorkerPool pool)
    {
        if (_packsSharedA)
        {
            PackingBuffer(ref _sharedA, RoundUp(_m, _t.MR) * _k);
            _packingPhase = true;
            pool.Run(this, Parts);
            _packingPhase = false;
        }
        pool.Run(this, Parts);
    }

    public void Execute(int part)
    {
        if (_packingPhase)
        {
            PackSharedA(part);
            return;
        }
        var start = part * _chunk;
        if (_splitColumns) Compute(0, _m, start, Math.Min(_n, start + _chunk));
        else Compute(start, Math.Min(_m, start + _chunk), 0, _n);
    }

    private static float[] PackingBuffer(ref float[]? cache, int length)
    {
        if (cache is null || cache.Length < length) cache = GC.AllocateUninitializedArray<float>(length, pinned: true);
        return cache;
    }

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;

    /// <summary>
    /// Packs one part's range of MR-row slivers of A for every KC block. The shared buffer holds, for each KC block
    /// at pc, all of A's slivers in order from pc · RoundUp(m, MR): the block Compute would pack at (ic, pc) starts ic · kc later.
    /// </summary>
    private void PackSharedA(int part)
    {
        var mr = _t.MR;
        var i0 = part * _sliverChunk * mr;
        var i1 = Math.Min(_m, i0 + _sliverChunk * mr);
        if (i0 >= i1) return;
        fixed (float* shared = _sharedA)
        {
            for (var pc = 0; pc < _k; pc += _t.KC)
            {
                var kc = Math.Min(_t.KC, _k - pc);
                PackA(shared + (long)pc * RoundUp(_m, mr) + (long)i0 * kc, i0, i1 - i0, pc, kc);
            }
        }
    }

    /// <summary>The blocked loops over C[i0..i1, j0..j1]: jc (NC) → pc (KC, pack B) → ic (MC, pack A) → jr → ir.</summary>
    private void Compute(int i0, int i1, int j0, int j1)
    {
        var t = _t;
        int mr = t.MR, nr = t.NR;
        var packA = _packsSharedA ? _sharedA! : PackingBuffer(ref t_packA, t.MC * t.KC);
        var packB = PackingBuffer(ref t_packB, t.KC * RoundUp(t.NC, nr));
        var tile = stackalloc float[mr * nr];
        fixed (float* packedA = packA, pb0 = packB, c0 = _c)
        {
            for (var jc = j0; jc < j1; jc += t.NC)
            {
                var nc = Math.Min(t.NC, j1 - jc);
                for (var pc = 0; pc < _k; pc += t.KC)
                {
                    var kc = Math.Min(t.KC, _k - pc);
                    var accumulate = pc > 0 || _accumulate;
                    PackB(packB, pc, kc, jc, nc);
                    for (var ic = i0; ic < i1; ic += t.MC)
                    {
                        var mc = Math.Min(t.MC, i1 - ic);
                        var pa0 = packedA;
                        if (_packsSharedA) pa0 += (long)pc * RoundUp(_m, mr) + (long)ic * kc;
                        else PackA(pa0, ic, mc, pc, kc);
                        for (var jr = 0; jr < nc; jr += nr)
                        {
                            var nEdge = Math.Min(nr, nc - jr);
                            var pb = pb0 + jr * kc;
                            for (var ir = 0; ir < mc; ir += mr)
                            {
                                var mEdge = Math.Min(mr, mc - ir);
                                var pa = pa0 + ir * kc;
                                var cTile = c0 + _cOffset + (ic + ir) * _ldc + jc + jr;
                                if (mEdge == mr && nEdge == nr)
                                {
                                    t.Kernel(kc, pa, pb, cTile, _ldc, accumulate);
                                }
                                else
                                {
                                    t.Kernel(kc, pa, pb, tile, nr, false);
                                    for (var i = 0; i < mEdge; i++)
                                    {
                                        var row = cTile + i * _ldc;
                                        for (var j = 0; j < nEdge; j++) row[j] = accumulate ? row[j] + tile[i * nr + j] : tile[i * nr + j];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>Copies A[ic.., pc..] into MR-row panels at d, column by column, zero-padding the last panel; nothing past them is written.</summary>
    private void PackA(float* d, int ic, int mc, int pc, int kc)
    {
        var mr = _t.MR;
        fixed (float* a = _a)
        {
            for (var ir = 0; ir < mc; ir += mr)
            {
                var panel = d + ir * kc;
                var rows = Math.Min(mr, mc - ir);
                if (rows < mr) new Span<float>(panel, kc * mr).Clear();
                var origin = a + _aOffset + (ic + ir) * _ars + pc * _acs;
                if (_acs == 1)
                {
                    var p0 = 0;
                    if (rows == 6 && mr == 6 && Avx.IsSupported)
                    {
                        // Row-major A: 6 rows × 8 columns transposed in registers; each 8-wide store runs 2 floats into
                        // the next column's slot, which the next store overwrites. The panel's last column is stored
                        // masked, so nothing past the panel is written (another thread may be packing the next one).
                        for (; p0 + 8 <= kc; p0 += 8) Transpose6x8(origin + p0, _ars, panel + p0 * 6, p0 + 8 == kc);
                    }
                    for (var i = 0; i < rows; i++)
                    {
                        var src = origin + i * _ars;
                        var dstColumn = panel + i;
                        for (var p = p0; p < kc; p++) dstColumn[p * mr] = src[p];
                    }
                }
                else
                {
                    for (var p = 0; p < kc; p++)
                    {
                        var src = origin + p * _acs;
                        var dstRow = panel + p * mr;
                        for (var i = 0; i < rows; i++) dstRow[i] = src[i * _ars];
                    }
                }
            }
        }
    }

    /// <summary>Copies B[pc.., jc..] into NR-column panels, row by row, zero-padding the last panel.</summary>
    private void PackB(float[] dst, int pc, int kc, int jc, int nc)
    {
        var nr = _t.NR;
        fixed (float* b = _b, d = dst)
        {
            var jr = 0;
            if (_bcs == 1 && nr == 16 && Avx.IsSupported)
            {
                // Four panels per pass down B's rows: each row's 64 floats are read once, in order.
                var stride = 16 * kc;
                for (; jr + 64 <= nc; jr += 64)
                {
                    var origin = b + _bOffset + pc * _brs + jc + jr;
                    var panels = d + jr * kc;
                    for (var p = 0; p < kc; p++)
                    {
                        var src = origin + p * _brs;
                        var dstRow = panels + p * 16;
                        Avx.Store(dstRow, Avx.LoadVector256(src));
                        Avx.Store(dstRow + 8, Avx.LoadVector256(src + 8));
                        Avx.Store(dstRow + stride, Avx.LoadVector256(src + 16));
                        Avx.Store(dstRow + stride + 8, Avx.LoadVector256(src + 24));
                        Avx.Store(dstRow + 2 * stride, Avx.LoadVector256(src + 32));
                        Avx.Store(dstRow + 2 * stride + 8, Avx.LoadVector256(src + 40));
                        Avx.Store(dstRow + 3 * stride, Avx.LoadVector256(src + 48));
                        Avx.Store(dstRow + 3 * stride + 8, Avx.LoadVector256(src + 56));
                    }
                }
            }
            for (; jr < nc; jr += nr)
            {
                var panel = d + jr * kc;
                var cols = Math.Min(nr, nc - jr);
                if (cols < nr) new Span<float>(panel, kc * nr).Clear();
                var origin = b + _bOffset + pc * _brs + (jc + jr) * _bcs;
                if (_bcs == 1)
                {
                    if (cols == 16 && nr == 16 && Avx.IsSupported)
                    {
                        for (var p = 0; p < kc; p++)
                        {
                            var src = origin + p * _brs;
                            var dstRow = panel + p * 16;
                            Avx.Store(dstRow, Avx.LoadVector256(src));
                            Avx.Store(dstRow + 8, Avx.LoadVector256(src + 8));
                        }
                    }
                    else
                    {
                        var bytes = (uint)(cols * sizeof(float));
                        for (var p = 0; p < kc; p++) Buffer.MemoryCopy(origin + p * _brs, panel + p * nr, bytes, bytes);
                    }
                }
                else
                {
                    var j = 0;
                    if (_brs == 1 && Avx.IsSupported)
                    {
                        // Bᵀ stored row-major (x·Wᵀ): 8×8 blocks transposed in registers instead of element by element.
                        for (; j + 8 <= cols; j += 8)
                        {
                            var p = 0;
                            for (; p + 8 <= kc; p += 8) Transpose8x8(origin + j * _bcs + p, _bcs, panel + p * nr + j, nr);
                            for (; p < kc; p++)
                            {
                                for (var q = 0; q < 8; q++) panel[p * nr + j + q] = origin[(j + q) * _bcs + p];
                            }
                        }
                    }
                    for (; j < cols; j++)
                    {
                        var src = origin + j * _bcs;
                        var dstColumn = panel + j;
                        for (var p = 0; p < kc; p++) dstColumn[p * nr] = src[p * _brs];
                    }
                }
            }
        }
    }

    /// <summary>dst[q·ldd + r] = src[r·lds + q] for an 8×8 block (AVX unpack, shuffle and lane permutes).</summary>
    private static void Transpose8x8(float* src, int lds, float* dst, int ldd) =>
        TransposeStore(
            Avx.LoadVector256(src), Avx.LoadVector256(src + lds), Avx.LoadVector256(src + 2 * lds), Avx.LoadVector256(src + 3 * lds),
            Avx.LoadVector256(src + 4 * lds), Avx.LoadVector256(src + 5 * lds), Avx.LoadVector256(src + 6 * lds), Avx.LoadVector256(src + 7 * lds),
            dst, ldd);

    /// <summary>dst[6q + r] = src[r·lds + q] for 6 rows × 8 columns; each store but a masked last one also writes two zeros past its column.</summary>
    private static void Transpose6x8(float* src, int lds, float* dst, bool maskLast)
    {
        var zero = Vector256<float>.Zero;
        TransposeStore(
            Avx.LoadVector256(src), Avx.LoadVector256(src + lds), Avx.LoadVector256(src + 2 * lds), Avx.LoadVector256(src + 3 * lds),
            Avx.LoadVector256(src + 4 * lds), Avx.LoadVector256(src + 5 * lds), zero, zero,
            dst, 6, maskLast);
    }

    /// <summary>
    /// Stores the transpose of the 8×8 block with rows r0..r7 at dst, dst + ldd, … in that order; with
    /// <paramref name="maskLast"/>, the last store writes only its first 6 floats.
    /// </summary>
    private static void TransposeStore(
        Vector256<float> r0, Vector256<float> r1, Vector256<float> r2, Vector256<float> r3,
        Vector256<float> r4, Vector256<float> r5, Vector256<float> r6, Vector256<float> r7,
        float* dst, int ldd, bool maskLast = false)
    {
        var t0 = Avx.UnpackLow(r0, r1);
        var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5);
        var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7);
        var t7 = Avx.UnpackHigh(r6, r7);
        var u0 = Avx.Shuffle(t0, t2, 0x44);
        var u1 = Avx.Shuffle(t0, t2, 0xEE);
        var u2 = Avx.Shuffle(t1, t3, 0x44);
        var u3 = Avx.Shuffle(t1, t3, 0xEE);
        var u4 = Avx.Shuffle(t4, t6, 0x44);
        var u5 = Avx.Shuffle(t4, t6, 0xEE);
        var u6 = Avx.Shuffle(t5, t7, 0x44);
        var u7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(dst, Avx.Permute2x128(u0, u4, 0x20));
        Avx.Store(dst + ldd, Avx.Permute2x128(u1, u5, 0x20));
        Avx.Store(dst + 2 * ldd, Avx.Permute2x128(u2, u6, 0x20));
        Avx.Store(dst + 3 * ldd, Avx.Permute2x128(u3, u7, 0x20));
        Avx.Store(dst + 4 * ldd, Avx.Permute2x128(u0, u4, 0x31));
        Avx.Store(dst + 5 * ldd, Avx.Permute2x128(u1, u5, 0x31));
        Avx.Store(dst + 6 * ldd, Avx.Permute2x128(u2, u6, 0x31));
        var last = Avx.Permute2x128(u3, u7, 0x31);
        if (maskLast) Avx.MaskStore(dst + 7 * ldd, Vector256.Create(-1, -1, -1, -1, -1, -1, 0, 0).AsSingle(), last);
        else Avx.Store(dst + 7 * ldd, last);
    }
}
