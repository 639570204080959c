using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Nabla.Serving.Images;

public static partial class Png
{
    /// <summary>Images larger than this many pixels are refused before anything is allocated (a 64-megapixel photo still fits).</summary>
    internal const long MaxPixels = 1L << 26;

    /// <summary>Reads and decodes the PNG file at <paramref name="path"/>.</summary>
    public static PngImage Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"PNG file not found: {path}", path);
        return Decode(File.ReadAllBytes(path), path);
    }

    /// <summary>
    /// Decodes a non-interlaced PNG of any colour type and bit depth to 8-bit RGBA (16-bit samples keep their high byte,
    /// 1/2/4-bit grey is scaled to 0-255, a tRNS chunk becomes alpha). Every defect is an
    /// <see cref="InvalidDataException"/> naming <paramref name="source"/> and what is wrong.
    /// </summary>
    public static PngImage Decode(ReadOnlySpan<byte> data, string source = "PNG")
    {
        if (!HasSignature(data)) throw Bad(source, "not a PNG file (the first 8 bytes are not the PNG signature)");
        var at = Signature.Length;
        Header? header = null;
        byte[]? palette = null, transparency = null;
        using var imageData = new MemoryStream();
        var ended = false;
        while (!ended)
        {
            if (data.Length - at < 8) throw Bad(source, at == data.Length ? "truncated: the file ends before the IEND chunk" : $"truncated chunk at byte {at}");
            var length = BinaryPrimitives.ReadUInt32BigEndian(data[at..]);
            var type = Encoding.ASCII.GetString(data.Slice(at + 4, 4));
            if (length > int.MaxValue || length > data.Length - at - 12)
            {
                throw Bad(source, $"truncated chunk '{Printable(type)}': it declares {length} bytes of data and a 4-byte CRC, {data.Length - at - 8} bytes remain");
            }
            var body = data.Slice(at + 8, (int)length);
            var stored = BinaryPrimitives.ReadUInt32BigEndian(data[(at + 8 + (int)length)..]);
            if (Crc32.Append(Crc32.Compute(data.Slice(at + 4, 4)), body) != stored) throw Bad(source, $"bad CRC in chunk '{Printable(type)}' (the file is corrupt)");
            at += 12 + (int)length;
            if (header is null && type != "IHDR") throw Bad(source, $"the first chunk is '{Printable(type)}'; expected IHDR");
            switch (type)
            {
                case "IHDR":
                    if (header is not null) throw Bad(source, "more than one IHDR chunk");
                    header = ParseHeader(body, source);
                    break;
                case "PLTE":
                    if (body.Length % 3 != 0 || body.Length == 0 || body.Length > 768) throw Bad(source, $"PLTE chunk of {body.Length} bytes; expected 1 to 256 RGB entries (3 bytes each)");
                    palette = body.ToArray();
                    break;
                case "tRNS": transparency = body.ToArray(); break;
                case "IDAT": imageData.Write(body); break;
                case "IEND": ended = true; break;
                default:
                    // Lower-case first letter: ancillary (safe to skip); upper-case: critical, so the image cannot be drawn without it.
                    if (char.IsUpper(type[0])) throw Bad(source, $"unknown critical chunk '{Printable(type)}'");
                    break;
            }
        }
        var h = header!.Value;
        if (imageData.Length == 0) throw Bad(source, "no image data (IDAT chunk)");
        if (h.ColorType == PngColorType.Palette && palette is null) throw Bad(source, "a palette image without a PLTE chunk");
        var bitsPerPixel = Channels(h.ColorType) * h.BitDepth;
        var stride = (int)(((long)h.Width * bitsPerPixel + 7) / 8);
        var rows = Inflate(imageData, (long)h.Height * (stride + 1), source);
        return ToImage(h, Unfilter(rows, h.Height, stride, Math.Max(1, bitsPerPixel / 8), source), stride, palette, transparency, source);
    }

    private readonly record struct Header(int Width, int Height, int BitDepth, PngColorType ColorType);

    private static Header ParseHeader(ReadOnlySpan<byte> body, string source)
    {
        if (body.Length != 13) throw Bad(source, $"IHDR chunk of {body.Length} bytes; expected 13");
        var width = BinaryPrimitives.ReadUInt32BigEndian(body);
        var height = BinaryPrimitives.ReadUInt32BigEndian(body[4..]);
        int depth = body[8], color = body[9];
        if (width == 0 || height == 0 || width > int.MaxValue || height > int.MaxValue) throw Bad(source, $"invalid size {width}x{height}");
        if ((long)width * height > MaxPixels) throw Bad(source, $"{width}x{height} pixels is more than the {MaxPixels} this decoder accepts");
        var allowed = color switch
        {
            0 => new[] { 1, 2, 4, 8, 16 },
            3 => [1, 2, 4, 8],
            2 or 4 or 6 => [8, 16],
            _ => throw Bad(source, $"unknown colour type {color}; expected 0 (grey), 2 (RGB), 3 (palette), 4 (grey + alpha) or 6 (RGBA)"),
        };
        if (!allowed.Contains(depth))
        {
            throw Bad(source, $"unsupported bit depth {depth} for colour type {color} ({(PngColorType)color}); expected {string.Join(", ", allowed)}");
        }
        if (body[10] != 0 || body[11] != 0) throw Bad(source, $"unknown compression method {body[10]} or filter method {body[11]}; expected 0 and 0");
        if (body[12] == 1) throw Bad(source, "Adam7-interlaced PNGs are not supported; save the image without interlacing");
        if (body[12] != 0) throw Bad(source, $"unknown interlace method {body[12]}");
        return new Header((int)width, (int)height, depth, (PngColorType)color);
    }

    /// <summary>Decompresses exactly <paramref name="expected"/> bytes, never more (a small file cannot expand into gigabytes).</summary>
    private static byte[] Inflate(MemoryStream compressed, long expected, string source)
    {
        compressed.Position = 0;
        if (expected > Array.MaxLength) throw Bad(source, "the image is too large to decode");
        var rows = new byte[expected];
        var filled = 0;
        try
        {
            using var zlib = new ZLibStream(compressed, CompressionMode.Decompress);
            while (filled < rows.Length)
            {
                var n = zlib.Read(rows, filled, rows.Length - filled);
                if (n == 0) break;
                filled += n;
            }
        }
        catch (InvalidDataException e)
        {
            throw Bad(source, $"the image data is not valid zlib data ({e.Message})");
        }
        if (filled < rows.Length) throw Bad(source, $"truncated image data: {filled} of {expected} bytes after decompression");
        return rows;
    }

    private static byte[] Unfilter(byte[] rows, int height, int stride, int bpp, string source)
    {
        var pixels = new byte[(long)height * stride];
        var previous = new byte[stride];
        for (var y = 0; y < height; y++)
        {
            var kind = rows[(long)y * (stride + 1)];
            if (kind > 4) throw Bad(source, $"unknown filter type {kind} on row {y}; expected 0 to 4");
            var row = pixels.AsSpan(y * stride, stride);
            rows.AsSpan(y * (stride + 1) + 1, stride).CopyTo(row);
            UndoFilter((PngFilter)kind, row, previous, bpp);
            previous = row.ToArray();
        }
        return pixels;
    }

    private static PngImage ToImage(Header h, byte[] pixels, int stride, byte[]? palette, byte[]? transparency, string source)
    {
        var channels = Channels(h.ColorType);
        var rgba = new byte[4L * h.Width * h.Height];
        var wide = h.BitDepth == 16;
        var maxSample = (1 << h.BitDepth) - 1;
        // A tRNS chunk for grey or RGB names one colour (as 16-bit samples) that is fully transparent.
        int[]? key = transparency is null || h.ColorType is not (PngColorType.Grey or PngColorType.Rgb) || transparency.Length < 2 * channels ? null
            : [.. Enumerable.Range(0, channels).Select(c => BinaryPrimitives.ReadUInt16BigEndian(transparency.AsSpan(2 * c)) & maxSample)];
        Span<int> raw = stackalloc int[4];
        for (var y = 0; y < h.Height; y++)
        for (var x = 0; x < h.Width; x++)
        {
            var row = pixels.AsSpan(y * stride, stride);
            for (var c = 0; c < channels; c++)
            {
                var s = x * channels + c;
                raw[c] = wide ? BinaryPrimitives.ReadUInt16BigEndian(row[(2 * s)..]) : Sample(row, s, h.BitDepth);
            }
            var o = 4 * (y * h.Width + x);
            byte Scale(int v) => wide ? (byte)(v >> 8) : (byte)(v * 255 / maxSample);
            var transparent = key is not null && raw[..channels].SequenceEqual(key);
            switch (h.ColorType)
            {
                case PngColorType.Grey: (rgba[o], rgba[o + 1], rgba[o + 2], rgba[o + 3]) = (Scale(raw[0]), Scale(raw[0]), Scale(raw[0]), transparent ? (byte)0 : (byte)255); break;
                case PngColorType.GreyAlpha: (rgba[o], rgba[o + 1], rgba[o + 2], rgba[o + 3]) = (Scale(raw[0]), Scale(raw[0]), Scale(raw[0]), Scale(raw[1])); break;
                case PngColorType.Rgb: (rgba[o], rgba[o + 1], rgba[o + 2], rgba[o + 3]) = (Scale(raw[0]), Scale(raw[1]), Scale(raw[2]), transparent ? (byte)0 : (byte)255); break;
                case PngColorType.Rgba: (rgba[o], rgba[o + 1], rgba[o + 2], rgba[o + 3]) = (Scale(raw[0]), Scale(raw[1]), Scale(raw[2]), Scale(raw[3])); break;
                default:
                    var i = raw[0];
                    if (3 * i + 2 >= palette!.Length) throw Bad(source, $"palette index {i} at pixel ({x}, {y}) is outside the {palette.Length / 3}-entry palette");
                    (rgba[o], rgba[o + 1], rgba[o + 2]) = (palette[3 * i], palette[3 * i + 1], palette[3 * i + 2]);
                    rgba[o + 3] = transparency is not null && i < transparency.Length ? transparency[i] : (byte)255;
                    break;
            }
        }
        return new PngImage(h.Width, h.Height, rgba);
    }

    /// <summary>Sample <paramref name="index"/> of a row packed at <paramref name="depth"/> bits (1, 2, 4 or 8), most significant bits first.</summary>
    private static int Sample(ReadOnlySpan<byte> row, int index, int depth)
    {
        if (depth == 8) return row[index];
        var bit = index * depth;
        return (row[bit >> 3] >> (8 - depth - (bit & 7))) & ((1 << depth) - 1);
    }

    private static string Printable(string type) => string.Concat(type.Select(c => c is >= ' ' and <= '~' ? c : '?'));

    private static InvalidDataException Bad(string source, string what) => new($"{source}: {what}.");
}
