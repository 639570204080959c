namespace Nabla.Data;

/// <summary>
/// A change applied to a batch of images [N, C, H, W] as data flows to the model (augmentation, normalisation).
/// Random transforms draw from the given generator only, so a seed fixes every augmented batch.
/// Transforms work on values, outside autograd.
/// </summary>
public interface ITransform
{
    Tensor Apply(Tensor batch, Generator generator);
}

/// <summary>Applies transforms one after another.</summary>
public sealed class Compose(params ITransform[] transforms) : ITransform
{
    public IReadOnlyList<ITransform> Transforms { get; } = transforms;

    public Tensor Apply(Tensor batch, Generator generator)
    {
        foreach (var t in Transforms) batch = t.Apply(batch, generator);
        return batch;
    }
}

/// <summary>Per-channel (x - mean[c]) / std[c].</summary>
public sealed class Normalize : ITransform
{
    private readonly float[] _mean, _std;

    public Normalize(float[] mean, float[] std)
    {
        if (mean.Length != std.Length || mean.Length == 0) throw new ArgumentException($"Normalize: need one mean and one std per channel; got {mean.Length} and {std.Length}.");
        if (std.Any(s => !(s > 0))) throw new ArgumentException("Normalize: every std must be positive.");
        (_mean, _std) = (mean, std);
    }

    /// <summary>Per-channel means subtracted.</summary>
    public IReadOnlyList<float> Mean => _mean;

    /// <summary>Per-channel standard deviations divided by.</summary>
    public IReadOnlyList<float> Std => _std;

    public Tensor Apply(Tensor batch, Generator generator)
    {
        var images = Images.Check("Normalize", batch);
        if (images.C != _mean.Length) throw new ArgumentException($"Normalize: {_mean.Length} channels configured, batch {batch.Shape} has {images.C}.");
        var x = batch.ToArray();
        var plane = images.H * images.W;
        for (var i = 0; i < x.Length; i++)
        {
            var c = i / plane % images.C;
            x[i] = (x[i] - _mean[c]) / _std[c];
        }
        return Tensor.FromArray(x, batch.Shape.ToArray());
    }
}

/// <summary>Adds N(0, std²) noise to every value.</summary>
public sealed class GaussianNoise(float std) : ITransform
{
    public Tensor Apply(Tensor batch, Generator generator)
    {
        using var _ = Autograd.NoGrad();
        return batch + Tensor.Randn(batch.Shape.ToArray(), generator) * std;
    }
}

/// <summary>Mirrors each image left-right (or, <paramref name="vertical"/>, top-bottom) with probability p.</summary>
public sealed class RandomFlip(bool vertical = false, float p = 0.5f) : ITransform
{
    public Tensor Apply(Tensor batch, Generator generator)
    {
        var (n, c, h, w) = Images.Check("RandomFlip", batch);
        var x = batch.ToArray();
        var y = (float[])x.Clone();
        for (var i = 0; i < n; i++)
        {
            if (generator.NextSingle() >= p) continue;
            for (var ch = 0; ch < c; ch++)
            {
                var plane = (i * c + ch) * h * w;
                for (var r = 0; r < h; r++)
                for (var col = 0; col < w; col++)
                {
                    var src = vertical ? (h - 1 - r) * w + col : r * w + (w - 1 - col);
                    y[plane + r * w + col] = x[plane + src];
                }
            }
        }
        return Tensor.FromArray(y, n, c, h, w);
    }
}

/// <summary>Pads each side by <paramref name="padding"/> (with <paramref name="fill"/>) and cuts a random H×W window, per image.</summary>
public sealed class RandomCrop(int padding, float fill = 0f) : ITransform
{
    public Tensor Apply(Tensor batch, Generator generator)
    {
        var (n, c, h, w) = Images.Check("RandomCrop", batch);
        if (padding < 0) throw new ArgumentException($"RandomCrop: padding must be non-negative; got {padding}.");
        var x = batch.ToArray();
        var y = new float[x.Length];
        for (var i = 0; i < n; i++)
        {
            // Window offset in the padded image: 0..2·padding on each axis.
            var dy = (int)generator.NextInt64(0, 2 * padding + 1) - padding;
            var dx = (int)generator.NextInt64(0, 2 * padding + 1) - padding;
            for (var ch = 0; ch < c; ch++)
            {
                var plane = (i * c + ch) * h * w;
                for (var r = 0; r < h; r++)
                for (var col = 0; col < w; col++)
                {
                    int sr = r + dy, sc = col + dx;
                    y[plane + r * w + col] = (uint)sr < (uint)h && (uint)sc < (uint)w ? x[plane + sr * w + sc] : fill;
                }
            }
        }
        return Tensor.FromArray(y, n, c, h, w);
    }
}

/// <summary>
/// Random rotation (± <paramref name="degrees"/>), translation (± a fraction of the size), scaling (factor in
/// [minScale, maxScale]) about the image centre, drawn per image and applied in one bilinear resampling;
/// points from outside the image take <paramref name="fill"/>.
/// </summary>
public sealed class RandomAffine(float degrees = 0f, float translate = 0f, float minScale = 1f, float maxScale = 1f, float fill = 0f) : ITransform
{
    public Tensor Apply(Tensor batch, Generator generator)
    {
        var (n, c, h, w) = Images.Check("RandomAffine", batch);
        if (degrees < 0 || translate < 0 || !(minScale > 0) || maxScale < minScale)
        {
            throw new ArgumentException($"RandomAffine: needs degrees >= 0, translate >= 0 and 0 < minScale <= maxScale; got {degrees}, {translate}, {minScale}, {maxScale}.");
        }
        var x = batch.ToArray();
        var y = new float[x.Length];
        for (var i = 0; i < n; i++)
        {
            var angle = (generator.NextSingle() * 2 - 1) * degrees;
            var tx = (generator.NextSingle() * 2 - 1) * translate * w;
            var ty = (generator.NextSingle() * 2 - 1) * translate * h;
            var scale = minScale + generator.NextSingle() * (maxScale - minScale);
            Images.Warp(x.AsSpan(i * c * h * w, c * h * w), y.AsSpan(i * c * h * w, c * h * w), c, h, w, angle, scale, tx, ty, fill);
        }
        return Tensor.FromArray(y, n, c, h, w);
    }
}

/// <summary>Random rotation by up to ± <paramref name="degrees"/>.</summary>
public sealed class RandomRotation(float degrees, float fill = 0f) : ITransform
{
    private readonly RandomAffine _affine = new(degrees: degrees, fill: fill);
    public Tensor Apply(Tensor batch, Generator generator) => _affine.Apply(batch, generator);
}

/// <summary>Random shift by up to ± <paramref name="fraction"/> of the height and width.</summary>
public sealed class RandomTranslation(float fraction, float fill = 0f) : ITransform
{
    private readonly RandomAffine _affine = new(translate: fraction, fill: fill);
    public Tensor Apply(Tensor batch, Generator generator) => _affine.Apply(batch, generator);
}

/// <summary>Random zoom by a factor in [min, max].</summary>
public sealed class RandomScaling(float min, float max, float fill = 0f) : ITransform
{
    private readonly RandomAffine _affine = new(minScale: min, maxScale: max, fill: fill);
    public Tensor Apply(Tensor batch, Generator generator) => _affine.Apply(batch, generator);
}

/// <summary>Geometry helpers for [N, C, H, W] image batches.</summary>
public static class Images
{
    internal static (int N, int C, int H, int W) Check(string op, Tensor batch)
    {
        if (batch.Rank != 4) throw new ArgumentException($"{op}: expected images [N, C, H, W]; got {batch.Shape}.");
        return (batch.Shape[0], batch.Shape[1], batch.Shape[2], batch.Shape[3]);
    }

    /// <summary>
    /// Rotates by <paramref name="degrees"/> (counter-clockwise as displayed, rows going down), scales by
    /// <paramref name="scale"/> and shifts by (tx, ty) pixels, about the centre, with bilinear sampling.
    /// </summary>
    public static Tensor Affine(Tensor batch, float degrees, float scale = 1f, float tx = 0f, float ty = 0f, float fill = 0f)
    {
        var (n, c, h, w) = Check("Affine", batch);
        var x = batch.ToArray();
        var y = new float[x.Length];
        for (var i = 0; i < n; i++)
        {
            Warp(x.AsSpan(i * c * h * w, c * h * w), y.AsSpan(i * c * h * w, c * h * w), c, h, w, degrees, scale, tx, ty, fill);
        }
        return Tensor.FromArray(y, n, c, h, w);
    }

    internal static void Warp(ReadOnlySpan<float> src, Span<float> dst, int c, int h, int w, float degrees, float scale, float tx, float ty, float fill)
    {
        var theta = degrees * MathF.PI / 180f;
        var (sin, cos) = MathF.SinCos(theta);
        float cy = (h - 1) / 2f, cx = (w - 1) / 2f;
        for (var r = 0; r < h; r++)
        for (var col = 0; col < w; col++)
        {
            // Inverse map: where in the source does this output pixel come from?
            float u = (col - cx - tx) / scale, v = (r - cy - ty) / scale;
            var sx = cos * u - sin * v + cx;
            var sy = sin * u + cos * v + cy;
            int x0 = (int)MathF.Floor(sx), y0 = (int)MathF.Floor(sy);
            float fx = sx - x0, fy = sy - y0;
            for (var ch = 0; ch < c; ch++)
            {
                var plane = src.Slice(ch * h * w, h * w);
                var value = (1 - fy) * ((1 - fx) * At(plane, h, w, y0, x0, fill) + fx * At(plane, h, w, y0, x0 + 1, fill))
                    + fy * ((1 - fx) * At(plane, h, w, y0 + 1, x0, fill) + fx * At(plane, h, w, y0 + 1, x0 + 1, fill));
                dst[ch * h * w + r * w + col] = value;
            }
        }
    }

    private static float At(ReadOnlySpan<float> plane, int h, int w, int y, int x, float fill) =>
        (uint)y < (uint)h && (uint)x < (uint)w ? plane[y * w + x] : fill;
}
