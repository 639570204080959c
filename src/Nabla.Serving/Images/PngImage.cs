namespace Nabla.Serving.Images;

/// <summary>The colour types of PNG (the IHDR byte): how many samples a pixel has and what they mean.</summary>
public enum PngColorType : byte
{
    Grey = 0,
    Rgb = 2,
    Palette = 3,
    GreyAlpha = 4,
    Rgba = 6,
}

/// <summary>The five PNG row filters: each predicts a byte from its left (a), upper (b) and upper-left (c) neighbours.</summary>
public enum PngFilter : byte
{
    None = 0,
    Sub = 1,
    Up = 2,
    Average = 3,
    Paeth = 4,
}

/// <summary>An image as 8-bit RGBA pixels, row by row (what <see cref="Png.Decode"/> gives and <see cref="Png.Encode"/> takes).</summary>
public sealed class PngImage
{
    /// <summary>Wraps <paramref name="rgba"/> (4 bytes per pixel, rows top to bottom).</summary>
    public PngImage(int width, int height, byte[] rgba)
    {
        ArgumentNullException.ThrowIfNull(rgba);
        if (width <= 0 || height <= 0) throw new ArgumentException($"PngImage: width and height must be positive; got {width}x{height}.");
        if (rgba.Length != 4L * width * height) throw new ArgumentException($"PngImage: {width}x{height} RGBA needs {4L * width * height} bytes; got {rgba.Length}.");
        (Width, Height, Rgba) = (width, height, rgba);
    }

    public int Width { get; }
    public int Height { get; }

    /// <summary>The pixels: R, G, B, A for each pixel, row by row.</summary>
    public byte[] Rgba { get; }

    /// <summary>An opaque grey image from one byte per pixel (0 black, 255 white).</summary>
    public static PngImage FromGrey(ReadOnlySpan<byte> grey, int width, int height)
    {
        if (grey.Length != (long)width * height) throw new ArgumentException($"PngImage: {width}x{height} grey needs {(long)width * height} bytes; got {grey.Length}.");
        var rgba = new byte[4 * grey.Length];
        for (var i = 0; i < grey.Length; i++) (rgba[4 * i], rgba[4 * i + 1], rgba[4 * i + 2], rgba[4 * i + 3]) = (grey[i], grey[i], grey[i], 255);
        return new PngImage(width, height, rgba);
    }

    /// <summary>
    /// Luminance in [0, 1] per pixel (Rec. 601 weights: 0.299 R + 0.587 G + 0.114 B), with transparent pixels laid
    /// over white, as a viewer shows them on a white page.
    /// </summary>
    public float[] ToGrey()
    {
        var grey = new float[Width * Height];
        for (var i = 0; i < grey.Length; i++)
        {
            var luminance = (0.299f * Rgba[4 * i] + 0.587f * Rgba[4 * i + 1] + 0.114f * Rgba[4 * i + 2]) / 255f;
            var alpha = Rgba[4 * i + 3] / 255f;
            grey[i] = luminance * alpha + (1 - alpha);
        }
        return grey;
    }
}
