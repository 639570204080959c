using System.Runtime.Intrinsics;

namespace Nabla.Backends.Cpu;

/// <summary>Geometry of a 2-D convolution or pooling window: sizes, stride, padding, dilation, groups.</summary>
internal readonly record struct Conv2dGeometry(
    int Batch, int InChannels, int Height, int Width,
    int OutChannels, int KernelH, int KernelW,
    int StrideH = 1, int StrideW = 1, int PadH = 0, int PadW = 0, int DilationH = 1, int DilationW = 1, int Groups = 1)
{
    public int OutHeight => (Height + 2 * PadH - DilationH * (KernelH - 1) - 1) / StrideH + 1;
    public int OutWidth => (Width + 2 * PadW - DilationW * (KernelW - 1) - 1) / StrideW + 1;
    public int GroupIn => InChannels / Groups;
    public int GroupOut => OutChannels / Groups;

    /// <summary>Rows of the column matrix of one group: input channels × kernel positions.</summary>
    public int PatchSize => GroupIn * KernelH * KernelW;
}

/// <summary>
/// 2-D convolution as a matrix product per image and group, W[Og, Cg·kh·kw] · cols[Cg·kh·kw, Ho·Wo],
/// where each column is one output position's receptive field. Stride-1 kernels read those columns
/// as shifted rows of the (padded) image itself; other strides build them with im2col into a
/// per-thread buffer that stays in cache. Images are the parallel parts. The backward passes are two
/// more products per image: the weight gradient (dot products of dy with the same columns) and the input
/// gradient (Wᵀ·dy, added back onto the image: one shifted run per column row for stride 1, col2im otherwise).
/// </summary>
internal static class Convolution
{
    /// <summary>cols[(c·kh + i)·kw + j, oh·Wo + ow] = x[c, oh·sh - ph + i·dh, ow·sw - pw + j·dw] (0 outside the image).</summary>
    /// <remarks>Row r of the columns starts at cols[r · ldCols], so one image can fill its slice of a batch-wide matrix.</remarks>
    public static unsafe void Im2Col(ReadOnlySpan<float> image, in Conv2dGeometry g, int channels, Span<float> cols, int ldCols)
    {
        int ho = g.OutHeight, wo = g.OutWidth, plane = g.Height * g.Width;
        RequireSizes("Im2Col", image.Length, cols.Length, ldCols, g, channels);
        fixed (float* x = image, columns = cols)
        {
            var row = 0;
            for (var c = 0; c < channels; c++)
            for (var i = 0; i < g.KernelH; i++)
            for (var j = 0; j < g.KernelW; j++, row++)
            {
                var dst = columns + (long)row * ldCols;
                var iw0 = -g.PadW + j * g.DilationW;
                // Output columns [lo, hi) read inside a row of the image (stride 1); the rest is padding.
                int lo = Math.Clamp(-iw0, 0, wo), hi = Math.Clamp(g.Width - iw0, lo, wo);
                for (var oh = 0; oh < ho; oh++, dst += wo)
                {
                    var ih = oh * g.StrideH - g.PadH + i * g.DilationH;
                    if ((uint)ih >= (uint)g.Height)
                    {
                        new Span<float>(dst, wo).Clear();
                        continue;
                    }
                    var src = x + c * plane + ih * g.Width;
                    if (g.StrideW == 1)
                    {
                        for (var ow = 0; ow < lo; ow++) dst[ow] = 0f;
                        CopyRun(src + iw0 + lo, dst + lo, hi - lo);
                        for (var ow = hi; ow < wo; ow++) dst[ow] = 0f;
                        continue;
                    }
                    for (var ow = 0; ow < wo; ow++)
                    {
                        var iw = iw0 + ow * g.StrideW;
                        dst[ow] = (uint)iw < (uint)g.Width ? src[iw] : 0f;
                    }
                }
            }
        }
    }

    /// <summary>Throws when an image of <paramref name="imageLength"/> floats or a column matrix of <paramref name="colsLength"/> is too small for the geometry.</summary>
    private static void RequireSizes(string kernel, int imageLength, int colsLength, int ldCols, in Conv2dGeometry g, int channels)
    {
        if (imageLength < channels * g.Height * g.Width || colsLength < (channels * g.KernelH * g.KernelW - 1) * ldCols + g.OutHeight * g.OutWidth)
        {
            throw new ArgumentException($"{kernel}: an image of {imageLength} floats or columns of {colsLength} are too small for the geometry.");
        }
    }

    /// <summary>The adjoint of <see cref="Im2Col"/>: adds every column entry back onto the image position it came from.</summary>
    public static unsafe void Col2ImAdd(ReadOnlySpan<float> cols, int ldCols, in Conv2dGeometry g, int channels, Span<float> image)
    {
        int ho = g.OutHeight, wo = g.OutWidth, plane = g.Height * g.Width;
        RequireSizes("Col2ImAdd", image.Length, cols.Length, ldCols, g, channels);
        fixed (float* x = image, columns = cols)
        {
            var row = 0;
            for (var c = 0; c < channels; c++)
            for (var i = 0; i < g.KernelH; i++)
            for (var j = 0; j < g.KernelW; j++, row++)
            {
                var src = columns + (long)row * ldCols;
                var iw0 = -g.PadW + j * g.DilationW;
                int lo = Math.Clamp(-iw0, 0, wo), hi = Math.Clamp(g.Width - iw0, lo, wo);
                for (var oh = 0; oh < ho; oh++, src += wo)
                {
                    var ih = oh * g.StrideH - g.PadH + i * g.DilationH;
                    if ((uint)ih >= (uint)g.Height) continue;
                    var dst = x + c * plane + ih * g.Width;
                    if (g.StrideW == 1)
                    {
                        AddRun(src + lo, dst + iw0 + lo, hi - lo);
                        continue;
                    }
                    for (var ow = 0; ow < wo; ow++)
                    {
                        var iw = iw0 + ow * g.StrideW;
                        if ((uint)iw < (uint)g.Width) dst[iw] += src[ow];
                    }
                }
            }
        }
    }

    /// <summary>dst[0..count) = src[0..count): rows of a small image are too short for a library copy's call to pay off.</summary>
    private static unsafe void CopyRun(float* src, float* dst, int count)
    {
        if (Vector256.IsHardwareAccelerated && count >= 8)
        {
            var i = 0;
            for (; i + 8 <= count; i += 8) Vector256.Store(Vector256.Load(src + i), dst + i);
            // The last vector may overlap the one before: copying twice is harmless.
            if (i < count) Vector256.Store(Vector256.Load(src + count - 8), dst + count - 8);
            return;
        }
        for (var i = 0; i < count; i++) dst[i] = src[i];
    }

    /// <summary>dst[0..count) += src[0..count).</summary>
    private static unsafe void AddRun(float* src, float* dst, int count)
    {
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + 8 <= count; i += 8) Vector256.Store(Vector256.Load(dst + i) + Vector256.Load(src + i), dst + i);
        }
        for (; i < count; i++) dst[i] += src[i];
    }

    /// <summary>dst[0..count) = src[0..count) + bias.</summary>
    private static unsafe void AddScalarRun(float* src, float bias, float* dst, int count)
    {
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var b = Vector256.Create(bias);
            for (; i + 8 <= count; i += 8) Vector256.Store(Vector256.Load(src + i) + b, dst + i);
        }
        for (; i < count; i++) dst[i] = src[i] + bias;
    }

    /// <summary>
    /// Lays <paramref name="planes"/> planes of [Ho, Wo] out on the grid Wp wide used by shifted windows, each plane
    /// (Ho − 1)·Wp + Wo long, with zeros in the columns past Wo.
    /// </summary>
    private static unsafe void SpreadOnWideGrid(float* src, int planes, int ho, int wo, int wp, float* dst)
    {
        var wide = (ho - 1) * wp + wo;
        for (var o = 0; o < planes; o++, src += ho * wo, dst += wide)
        {
            for (var oh = 0; oh < ho; oh++)
            {
                var row = dst + oh * wp;
                CopyRun(src + oh * wo, row, wo);
                if (oh + 1 < ho) new Span<float>(row + wo, wp - wo).Clear();
            }
        }
    }

    [ThreadStatic] private static float[]? t_columns;
    [ThreadStatic] private static float[]? t_columnGradients;

    /// <summary>This thread's scratch of at least <paramref name="length"/> floats (one image's column matrix), kept between calls.</summary>
    private static float[] Scratch(ref float[]? cache, int length)
    {
        if (cache is null || cache.Length < length) cache = GC.AllocateUninitializedArray<float>(length);
        return cache;
    }

    /// <summary>
    /// y[n, o] = b[o] + Σ W[o, ·] ⋆ x[n, group(o)]: x [N, C, H, W] and W [O, C/groups, kh, kw], contiguous.
    /// One image per part of the worker pool: W[Og, Cg·kh·kw] times the image's columns (shifted rows of the
    /// image for stride 1, else im2col in cache), added to the bias in y's rows for that image.
    /// </summary>
    public static void Forward(float[] x, float[] w, float[]? bias, float[] y, Conv2dGeometry g) =>
        ParallelFor.Run(g.Batch, n => ForwardImage(x, w, bias, y, g, n));

    private static void ForwardImage(float[] x, float[] w, float[]? bias, float[] y, in Conv2dGeometry g, int n)
    {
        var positions = g.OutHeight * g.OutWidth;
        var imageSize = g.InChannels * g.Height * g.Width;
        var groupImage = g.GroupIn * g.Height * g.Width;
        if (UsesShiftedWindows(g))
        {
            for (var grp = 0; grp < g.Groups; grp++) ForwardShifted(x, n * imageSize + grp * groupImage, w, bias, y, g, n, grp);
            return;
        }
        var cols = Scratch(ref t_columns, g.PatchSize * positions);
        for (var grp = 0; grp < g.Groups; grp++)
        {
            var (source, sourceOffset) = Columns(x, n * imageSize + grp * groupImage, g, cols);
            var yOffset = (n * g.OutChannels + grp * g.GroupOut) * positions;
            if (bias is not null)
            {
                for (var o = 0; o < g.GroupOut; o++) y.AsSpan(yOffset + o * positions, positions).Fill(bias[grp * g.GroupOut + o]);
            }
            Gemm.UnpackedProduct.Multiply(g.GroupOut, positions, g.PatchSize,
                w, grp * g.GroupOut * g.PatchSize, g.PatchSize, 1,
                source, sourceOffset, positions,
                y, yOffset, positions, accumulate: bias is not null);
        }
    }

    [ThreadStatic] private static float[]? t_padded;
    [ThreadStatic] private static float[]? t_wide;
    [ThreadStatic] private static int[]? t_offsets;

    /// <summary>
    /// Stride-1 kernels (other than an unpadded 1×1, which needs no columns at all) skip im2col: on the
    /// padded image read as rows of width Wp, column row (c, i, j) is the image itself shifted by
    /// c·Hp·Wp + i·dh·Wp + j·dw, so the product reads B's rows straight from the image.
    /// </summary>
    private static bool UsesShiftedWindows(in Conv2dGeometry g) =>
        g is { StrideH: 1, StrideW: 1 } && !(g is { KernelH: 1, KernelW: 1, PadH: 0, PadW: 0 }) && Gemm.UnpackedProduct.Supported;

    /// <summary>
    /// One image group by shifted windows: W[Og, Cg·kh·kw] times the image's shifted rows gives the output on a
    /// grid Wp wide, (Ho - 1)·Wp + Wo positions (the columns past Wo in each row are discarded); the valid
    /// columns then go to y on top of the bias.
    /// </summary>
    private static unsafe void ForwardShifted(float[] x, int imageOffset, float[] w, float[]? bias, float[] y, in Conv2dGeometry g, int n, int grp)
    {
        int ho = g.OutHeight, wo = g.OutWidth, hp = g.Height + 2 * g.PadH, wp = g.Width + 2 * g.PadW;
        var wide = (ho - 1) * wp + wo;
        var offsets = ShiftOffsets(g, hp, wp);
        var product = Scratch(ref t_wide, g.GroupOut * wide);
        var (image, origin) = PaddedImage(x, imageOffset, g, hp, wp);
        fixed (float* pw = &w[grp * g.GroupOut * g.PatchSize], pimage = &image[origin], pproduct = product)
        fixed (int* poffsets = offsets)
        {
            Gemm.UnpackedProduct.MultiplyShifted(g.GroupOut, wide, g.PatchSize, pw, g.PatchSize, 1, pimage, poffsets, pproduct, wide, accumulate: false);
        }
        var positions = ho * wo;
        fixed (float* pproduct = product, py = y)
        {
            for (var o = 0; o < g.GroupOut; o++)
            {
                var channel = grp * g.GroupOut + o;
                var target = py + (long)(n * g.OutChannels + channel) * positions;
                var b = bias is null ? 0f : bias[channel];
                for (var oh = 0; oh < ho; oh++) AddScalarRun(pproduct + o * wide + oh * wp, b, target + oh * wo, wo);
            }
        }
    }

    /// <summary>The image group itself when unpadded, else a zero-padded copy in this thread's scratch.</summary>
    private static (float[] Image, int Origin) PaddedImage(float[] x, int imageOffset, in Conv2dGeometry g, int hp, int wp)
    {
        if (g.PadH == 0 && g.PadW == 0) return (x, imageOffset);
        var padded = Scratch(ref t_padded, g.GroupIn * hp * wp);
        Pad(x.AsSpan(imageOffset, g.GroupIn * g.Height * g.Width), g, hp, wp, padded);
        return (padded, 0);
    }

    /// <summary>Images whose shifted-window dW shares go through one multi-image dot-product pass (bounds the scratch).</summary>
    private const int ImagesPerPass = 8;

    [ThreadStatic] private static float[]? t_dyWide;

    /// <summary>
    /// dW's share of images [first, end) by shifted windows, written to shares[slot..]: per group, dy laid out on
    /// the Wp-wide grid (zeros in the discarded columns) dotted with each image's shifted rows, the FMA chains
    /// running on through up to <see cref="ImagesPerPass"/> images; passes after the first are added in order.
    /// </summary>
    /// <remarks>The discarded columns multiply real image values by zero, so an infinity or NaN in the image's
    /// edge columns reaches more taps than im2col would let it (an image with one already gives NaN gradients).</remarks>
    private static unsafe void WeightSharesShifted(float[] x, float[] dy, float[] shares, int slot, in Conv2dGeometry g, int first, int end)
    {
        int ho = g.OutHeight, wo = g.OutWidth, hp = g.Height + 2 * g.PadH, wp = g.Width + 2 * g.PadW;
        var wide = (ho - 1) * wp + wo;
        var weightSize = g.OutChannels * g.PatchSize;
        var imageSize = g.InChannels * g.Height * g.Width;
        var groupImage = g.GroupIn * g.Height * g.Width;
        var paddedSize = g.GroupIn * hp * wp;
        var padded = g.PadH != 0 || g.PadW != 0;
        var offsets = ShiftOffsets(g, hp, wp);
        var dyWide = Scratch(ref t_dyWide, ImagesPerPass * g.GroupOut * wide);
        var images = padded ? Scratch(ref t_padded, ImagesPerPass * paddedSize) : null;
        var a = stackalloc float*[ImagesPerPass];
        var b = stackalloc float*[ImagesPerPass];
        for (var pass = first; pass < end; pass += ImagesPerPass)
        {
            var count = Math.Min(ImagesPerPass, end - pass);
            var (target, targetOffset) = pass == first ? (shares, slot) : (Scratch(ref t_share, weightSize), 0);
            for (var grp = 0; grp < g.Groups; grp++)
            {
                for (var t = 0; t < count; t++)
                {
                    var n = pass + t;
                    var dyOffset = (n * g.OutChannels + grp * g.GroupOut) * (ho * wo);
                    fixed (float* src = &dy[dyOffset], dst = &dyWide[t * g.GroupOut * wide])
                    {
                        SpreadOnWideGrid(src, g.GroupOut, ho, wo, wp, dst);
                    }
                    if (padded) Pad(x.AsSpan(n * imageSize + grp * groupImage, groupImage), g, hp, wp, images.AsSpan(t * paddedSize, paddedSize));
                }
                fixed (float* pdy = dyWide, px = x, pimages = images, ptarget = &target[targetOffset + grp * g.GroupOut * g.PatchSize])
                fixed (int* poffsets = offsets)
                {
                    for (var t = 0; t < count; t++)
                    {
                        a[t] = pdy + (long)t * g.GroupOut * wide;
                        b[t] = padded ? pimages + (long)t * paddedSize : px + (long)(pass + t) * imageSize + grp * groupImage;
                    }
                    Gemm.RowDots.MultiplyShiftedSum(g.GroupOut, g.PatchSize, wide, count, a, wide, b, poffsets, ptarget, g.PatchSize);
                }
            }
            if (pass != first)
            {
                var sum = shares.AsSpan(slot, weightSize);
                System.Numerics.Tensors.TensorPrimitives.Add(sum, target.AsSpan(0, weightSize), sum);
            }
        }
    }

    /// <summary>Where row (c, i, j) of the shifted-window matrix starts in the padded image: c·Hp·Wp + i·dh·Wp + j·dw.</summary>
    private static int[] ShiftOffsets(in Conv2dGeometry g, int hp, int wp)
    {
        var offsets = t_offsets is { } cached && cached.Length >= g.PatchSize ? cached : t_offsets = new int[Math.Max(g.PatchSize, 64)];
        var row = 0;
        for (var c = 0; c < g.GroupIn; c++)
        for (var i = 0; i < g.KernelH; i++)
        for (var j = 0; j < g.KernelW; j++) offsets[row++] = c * hp * wp + i * g.DilationH * wp + j * g.DilationW;
        return offsets;
    }

    /// <summary>Copies channels of [H, W] into the middle of zeroed [Hp, Wp] planes.</summary>
    private static unsafe void Pad(ReadOnlySpan<float> image, in Conv2dGeometry g, int hp, int wp, Span<float> padded)
    {
        padded[..(g.GroupIn * hp * wp)].Clear();
        if (image.Length < g.GroupIn * g.Height * g.Width) throw new ArgumentException("Pad: the image is smaller than the geometry.");
        fixed (float* src = image, dst = padded)
        {
            for (var c = 0; c < g.GroupIn; c++)
            for (var h = 0; h < g.Height; h++)
            {
                CopyRun(src + (c * g.Height + h) * g.Width, dst + c * hp * wp + (h + g.PadH) * wp + g.PadW, g.Width);
            }
        }
    }

    /// <summary>
    /// One image group's column matrix [Cg·kh·kw, Ho·Wo]: the image itself for a 1×1, stride-1, unpadded
    /// kernel (no copy), else im2col into <paramref name="scratch"/>.
    /// </summary>
    private static (float[] Source, int Offset) Columns(float[] x, int offset, in Conv2dGeometry g, float[] scratch)
    {
        if (g is { KernelH: 1, KernelW: 1, StrideH: 1, StrideW: 1, PadH: 0, PadW: 0 }) return (x, offset);
        Im2Col(x.AsSpan(offset, g.GroupIn * g.Height * g.Width), g, g.GroupIn, scratch, g.OutHeight * g.OutWidth);
        return (scratch, 0);
    }

    /// <summary>
    /// Gradients of <see cref="Forward"/> given dy [N, O, Ho, Wo], each overwritten; pass null for any not wanted.
    /// Per image: dx[n] = col2im(Wᵀ·dy[n]) and dW's share dy[n]·cols[n]ᵀ. The images are split into a fixed
    /// number of chunks (a function of N alone); each chunk adds its images' shares in order into its own slot,
    /// and the slots are added in order afterwards, so dW is bitwise the same for any thread count while the
    /// scratch stays at a few copies of W. db = Σ_{n,h,w} dy.
    /// </summary>
    public static void Backward(float[] x, float[] w, float[] dy, float[]? dx, float[]? dw, float[]? db, Conv2dGeometry g)
    {
        var weightSize = g.OutChannels * g.PatchSize;
        if (dw is not null && g.Batch == 0) dw.AsSpan(0, weightSize).Clear();
        var chunks = Math.Min(ShareChunks, g.Batch);
        var shares = dw is null || chunks == 0 ? null : BufferPool.Rent(checked(chunks * weightSize));
        if (shares is not null)
        {
            var shifted = UsesShiftedWindows(g);
            ParallelFor.Run(chunks, c =>
            {
                int first = g.Batch * c / chunks, end = g.Batch * (c + 1) / chunks;
                if (shifted) WeightSharesShifted(x, dy, shares, c * weightSize, g, first, end);
                for (var n = first; n < end; n++) BackwardImage(x, w, dy, dx, shifted ? null : shares, c * weightSize, n == first, g, n);
            });
            var total = dw.AsSpan(0, weightSize);
            shares.AsSpan(0, weightSize).CopyTo(total);
            for (var c = 1; c < chunks; c++) System.Numerics.Tensors.TensorPrimitives.Add(total, shares.AsSpan(c * weightSize, weightSize), total);
            BufferPool.Return(shares);
        }
        else if (dx is not null)
        {
            ParallelFor.Run(g.Batch, n => BackwardImage(x, w, dy, dx, null, 0, true, g, n));
        }
        if (db is not null)
        {
            var positions = g.OutHeight * g.OutWidth;
            for (var o = 0; o < g.OutChannels; o++)
            {
                double sum = 0;
                for (var n = 0; n < g.Batch; n++) sum += System.Numerics.Tensors.TensorPrimitives.Sum(dy.AsSpan((n * g.OutChannels + o) * positions, positions));
                db[o] = (float)sum;
            }
        }
    }

    /// <summary>Images whose dW shares are summed in one slot before the slots are added: fixed, so sums do not depend on threads.</summary>
    private const int ShareChunks = 8;

    [ThreadStatic] private static float[]? t_share;

    /// <summary>
    /// One image's part of <see cref="Backward"/>: its dx, and (im2col path) its dW share written to shares[slot..]
    /// when it is the first image of its chunk, else added there (through this thread's scratch).
    /// </summary>
    private static unsafe void BackwardImage(float[] x, float[] w, float[] dy, float[]? dx, float[]? shares, int slot, bool firstOfChunk,
        in Conv2dGeometry g, int n)
    {
        var positions = g.OutHeight * g.OutWidth;
        var imageSize = g.InChannels * g.Height * g.Width;
        var groupImage = g.GroupIn * g.Height * g.Width;
        if (dx is not null && !UsesShiftedWindows(g)) dx.AsSpan(n * imageSize, imageSize).Clear(); // the shifted path writes every element
        for (var grp = 0; grp < g.Groups; grp++)
        {
            var dyOffset = (n * g.OutChannels + grp * g.GroupOut) * positions;
            var wOffset = grp * g.GroupOut * g.PatchSize;
            if (shares is not null)
            {
                var weightSize = g.OutChannels * g.PatchSize;
                var (target, targetOffset) = firstOfChunk ? (shares, slot) : (Scratch(ref t_share, weightSize), 0);
                var (source, sourceOffset) = Columns(x, n * imageSize + grp * groupImage, g, Scratch(ref t_columns, g.PatchSize * positions));
                fixed (float* pdy = &dy[dyOffset], pcols = &source[sourceOffset], pshare = &target[targetOffset + wOffset])
                {
                    Gemm.RowDots.Multiply(g.GroupOut, g.PatchSize, positions, pdy, positions, pcols, positions, pshare, g.PatchSize);
                }
                if (!firstOfChunk && grp == g.Groups - 1)
                {
                    var sum = shares.AsSpan(slot, weightSize);
                    System.Numerics.Tensors.TensorPrimitives.Add(sum, target.AsSpan(0, weightSize), sum);
                }
            }
            if (dx is not null && UsesShiftedWindows(g))
            {
                InputGradientShifted(w, dy, dx, g, n, grp);
            }
            else if (dx is not null)
            {
                var cols = Scratch(ref t_columnGradients, g.PatchSize * positions);
                Gemm.UnpackedProduct.Multiply(g.PatchSize, positions, g.GroupOut,
                    w, wOffset, 1, g.PatchSize,          // Wᵀ read in place
                    dy, dyOffset, positions,
                    cols, 0, positions, accumulate: false);
                Col2ImAdd(cols, positions, g, g.GroupIn, dx.AsSpan(n * imageSize + grp * groupImage, groupImage));
            }
        }
    }

    [ThreadStatic] private static float[]? t_dyRows;

    /// <summary>
    /// One image group's dx by shifted windows, the adjoint of <see cref="ForwardShifted"/>: Wᵀ times dy laid out on
    /// the Wp-wide grid (zeros in the discarded columns) gives column rows that are each one contiguous run of the
    /// padded image, added at the row's shift; the padded image's interior is dx. Ten-float runs per output row
    /// (col2im) become one run per column row.
    /// </summary>
    /// <remarks>The discarded columns are Wᵀ times zeros, so an infinity or NaN in W reaches more of dx than col2im would
    /// let it (a W with one already gives NaN gradients).</remarks>
    private static unsafe void InputGradientShifted(float[] w, float[] dy, float[] dx, in Conv2dGeometry g, int n, int grp)
    {
        int ho = g.OutHeight, wo = g.OutWidth, hp = g.Height + 2 * g.PadH, wp = g.Width + 2 * g.PadW;
        var wide = (ho - 1) * wp + wo;
        var dyRows = Scratch(ref t_dyRows, g.GroupOut * wide);
        var dyOffset = (n * g.OutChannels + grp * g.GroupOut) * (ho * wo);
        fixed (float* src = &dy[dyOffset], dst = dyRows)
        {
            SpreadOnWideGrid(src, g.GroupOut, ho, wo, wp, dst);
        }
        var cols = Scratch(ref t_columnGradients, g.PatchSize * wide);
        Gemm.UnpackedProduct.Multiply(g.PatchSize, wide, g.GroupOut,
            w, grp * g.GroupOut * g.PatchSize, 1, g.PatchSize,   // Wᵀ read in place
            dyRows, 0, wide,
            cols, 0, wide, accumulate: false);
        var padded = g.PadH != 0 || g.PadW != 0;
        var groupImage = g.GroupIn * g.Height * g.Width;
        var imageOffset = n * g.InChannels * g.Height * g.Width + grp * groupImage;
        var (target, origin) = padded ? (Scratch(ref t_padded, g.GroupIn * hp * wp), 0) : (dx, imageOffset);
        target.AsSpan(origin, g.GroupIn * hp * wp).Clear();
        var offsets = ShiftOffsets(g, hp, wp);
        fixed (float* pcols = cols, ptarget = &target[origin])
        {
            for (var r = 0; r < g.PatchSize; r++) AddRun(pcols + (long)r * wide, ptarget + offsets[r], wide);
        }
        if (!padded) return;
        fixed (float* src = target, dst = &dx[imageOffset])
        {
            for (var c = 0; c < g.GroupIn; c++)
            for (var h = 0; h < g.Height; h++)
            {
                CopyRun(src + c * hp * wp + (h + g.PadH) * wp + g.PadW, dst + (c * g.Height + h) * g.Width, g.Width);
            }
        }
    }
}
