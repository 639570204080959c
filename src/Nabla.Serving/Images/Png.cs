using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Nabla.Serving.Images;

/// <summary>
/// A small PNG codec (ISO/IEC 15948) on the runtime's zlib: <see cref="Encode"/> writes 8-bit images of any colour
/// type with a chosen or per-row adaptive filter; <see cref="Decode"/> reads non-interlaced files of every colour
/// type and bit depth, checking each chunk's CRC. A file is the 8-byte signature, then chunks
/// (length, type, data, CRC-32 of type and data): IHDR, optional PLTE/tRNS, IDAT (zlib data of the filtered rows,
/// each row prefixed by its filter byte), IEND.
/// </summary>
public static partial class Png
{
    internal static readonly byte[] Signature = [137, 80, 78, 71, 13, 10, 26, 10];

    /// <summary>True when <paramref name="data"/> starts with the PNG signature.</summary>
    public static bool HasSignature(ReadOnlySpan<byte> data) => data.StartsWith(Signature);

    /// <summary>
    /// Encodes <paramref name="image"/> as an 8-bit PNG of <paramref name="colorType"/>. Grey types store the luminance
    /// (exact for grey images); types without alpha drop it; a palette holds each distinct RGBA colour (at most 256).
    /// <paramref name="filter"/> fixes every row's filter; null picks, per row, the filter with the smallest sum of
    /// absolute residuals (the usual heuristic).
    /// </summary>
    public static byte[] Encode(PngImage image, PngColorType colorType = PngColorType.Rgba, PngFilter? filter = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        var channels = Channels(colorType);
        var (samples, palette) = ToSamples(image, colorType);
        var stride = image.Width * channels;
        var raw = new byte[image.Height * (stride + 1)];
        var previous = new byte[stride];
        var candidate = new byte[stride];
        for (var y = 0; y < image.Height; y++)
        {
            var row = samples.AsSpan(y * stride, stride);
            var chosen = filter ?? BestFilter(row, previous, channels, candidate);
            raw[y * (stride + 1)] = (byte)chosen;
            ApplyFilter(chosen, row, previous, channels, raw.AsSpan(y * (stride + 1) + 1, stride));
            row.CopyTo(previous);
        }
        using var file = new MemoryStream();
        file.Write(Signature);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, image.Width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), image.Height);
        (header[8], header[9]) = (8, (byte)colorType); // bit depth 8; compression, filter and interlace methods 0
        WriteChunk(file, "IHDR", header);
        if (palette is not null)
        {
            WriteChunk(file, "PLTE", [.. palette.SelectMany(c => new[] { c.R, c.G, c.B })]);
            if (palette.Any(c => c.A != 255)) WriteChunk(file, "tRNS", [.. palette.Select(c => c.A)]);
        }
        using (var compressed = new MemoryStream())
        {
            using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true)) zlib.Write(raw);
            WriteChunk(file, "IDAT", compressed.ToArray());
        }
        WriteChunk(file, "IEND", []);
        return file.ToArray();
    }

    /// <summary>Encodes grey pixels (one byte each, 0 black) as an 8-bit grey PNG.</summary>
    public static byte[] EncodeGrey(ReadOnlySpan<byte> grey, int width, int height) => Encode(PngImage.FromGrey(grey, width, height), PngColorType.Grey);

    private static (byte[] Samples, List<(byte R, byte G, byte B, byte A)>? Palette) ToSamples(PngImage image, PngColorType colorType)
    {
        var n = image.Width * image.Height;
        var p = image.Rgba;
        var samples = new byte[n * Channels(colorType)];
        List<(byte R, byte G, byte B, byte A)>? palette = null;
        Dictionary<(byte, byte, byte, byte), byte>? index = null;
        if (colorType == PngColorType.Palette) (palette, index) = ([], []);
        for (var i = 0; i < n; i++)
        {
            var (r, g, b, a) = (p[4 * i], p[4 * i + 1], p[4 * i + 2], p[4 * i + 3]);
            var grey = r == g && g == b ? r : (byte)Math.Round(0.299 * r + 0.587 * g + 0.114 * b);
            switch (colorType)
            {
                case PngColorType.Grey: samples[i] = grey; break;
                case PngColorType.GreyAlpha: (samples[2 * i], samples[2 * i + 1]) = (grey, a); break;
                case PngColorType.Rgb: (samples[3 * i], samples[3 * i + 1], samples[3 * i + 2]) = (r, g, b); break;
                case PngColorType.Rgba: p.AsSpan(4 * i, 4).CopyTo(samples.AsSpan(4 * i)); break;
                default:
                    if (!index!.TryGetValue((r, g, b, a), out var k))
                    {
                        if (palette!.Count == 256) throw new ArgumentException("Png.Encode: the image has more than 256 colours, too many for a palette; use Rgb or Rgba.");
                        k = (byte)palette.Count;
                        index.Add((r, g, b, a), k);
                        palette.Add((r, g, b, a));
                    }
                    samples[i] = k;
                    break;
            }
        }
        return (samples, palette);
    }

    private static void WriteChunk(Stream file, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        file.Write(word);
        var typeBytes = Encoding.ASCII.GetBytes(type);
        file.Write(typeBytes);
        file.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32.Append(Crc32.Compute(typeBytes), data));
        file.Write(word);
    }

    private static PngFilter BestFilter(ReadOnlySpan<byte> row, ReadOnlySpan<byte> previous, int bpp, Span<byte> scratch)
    {
        var best = PngFilter.None;
        var bestCost = long.MaxValue;
        for (var f = PngFilter.None; f <= PngFilter.Paeth; f++)
        {
            ApplyFilter(f, row, previous, bpp, scratch);
            long cost = 0;
            foreach (var v in scratch) cost += Math.Abs((int)(sbyte)v); // residuals near 0 (either sign) compress best
            if (cost < bestCost) (best, bestCost) = (f, cost);
        }
        return best;
    }

    /// <summary>Filters one row: out[i] = row[i] - predictor(a, b, c), modulo 256; <paramref name="bpp"/> is the bytes per pixel.</summary>
    internal static void ApplyFilter(PngFilter filter, ReadOnlySpan<byte> row, ReadOnlySpan<byte> previous, int bpp, Span<byte> output)
    {
        for (var i = 0; i < row.Length; i++)
        {
            int a = i >= bpp ? row[i - bpp] : 0, b = previous[i], c = i >= bpp ? previous[i - bpp] : 0;
            output[i] = (byte)(row[i] - Predict(filter, a, b, c));
        }
    }

    /// <summary>Undoes a row's filter in place: row[i] += predictor(a, b, c), with a and c already reconstructed.</summary>
    internal static void UndoFilter(PngFilter filter, Span<byte> row, ReadOnlySpan<byte> previous, int bpp)
    {
        for (var i = 0; i < row.Length; i++)
        {
            int a = i >= bpp ? row[i - bpp] : 0, b = previous[i], c = i >= bpp ? previous[i - bpp] : 0;
            row[i] = (byte)(row[i] + Predict(filter, a, b, c));
        }
    }

    private static int Predict(PngFilter filter, int a, int b, int c) => filter switch
    {
        PngFilter.None => 0,
        PngFilter.Sub => a,
        PngFilter.Up => b,
        PngFilter.Average => (a + b) >> 1,
        _ => Paeth(a, b, c),
    };

    /// <summary>Paeth's predictor: whichever of a, b, c is closest to a + b - c (ties: a, then b).</summary>
    private static int Paeth(int a, int b, int c)
    {
        var p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    /// <summary>Samples per pixel of a colour type.</summary>
    internal static int Channels(PngColorType colorType) => colorType switch
    {
        PngColorType.Grey or PngColorType.Palette => 1,
        PngColorType.GreyAlpha => 2,
        PngColorType.Rgb => 3,
        PngColorType.Rgba => 4,
        _ => throw new ArgumentException($"Png: colour type {(int)colorType} does not exist; expected 0 (grey), 2 (RGB), 3 (palette), 4 (grey + alpha) or 6 (RGBA)."),
    };
}
