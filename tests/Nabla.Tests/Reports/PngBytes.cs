using System.Buffers.Binary;
using System.Text;
using Nabla.Serving.Images;

namespace Nabla.Tests.Reports;

/// <summary>
/// Builds PNG files by hand, independently of <see cref="Png.Encode"/>: the caller gives the scanlines already
/// filtered (worked out by hand), and they are stored in an uncompressed deflate block (RFC 1951 BTYPE 00) inside a
/// zlib stream (RFC 1950) whose Adler-32 is computed here. Only the chunk CRC comes from <see cref="Crc32"/>, which
/// has its own check-value test.
/// </summary>
internal static class PngBytes
{
    public static readonly byte[] Signature = [137, 80, 78, 71, 13, 10, 26, 10];

    public static byte[] Header(int width, int height, int bitDepth, int colorType, int interlace = 0)
    {
        var h = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(h, width);
        BinaryPrimitives.WriteInt32BigEndian(h.AsSpan(4), height);
        (h[8], h[9], h[12]) = ((byte)bitDepth, (byte)colorType, (byte)interlace);
        return h;
    }

    /// <summary>A zlib stream holding <paramref name="raw"/> uncompressed.</summary>
    public static byte[] Stored(byte[] raw)
    {
        var z = new List<byte> { 0x78, 0x01, 0x01, (byte)raw.Length, (byte)(raw.Length >> 8), (byte)~raw.Length, (byte)(~raw.Length >> 8) };
        z.AddRange(raw);
        uint a = 1, b = 0;
        foreach (var x in raw) (a, b) = ((a + x) % 65521, (b + (a + x) % 65521) % 65521);
        z.AddRange([(byte)(b >> 8), (byte)b, (byte)(a >> 8), (byte)a]);
        return [.. z];
    }

    public static byte[] Chunk(string type, byte[] data)
    {
        var typeBytes = Encoding.ASCII.GetBytes(type);
        var chunk = new byte[12 + data.Length];
        BinaryPrimitives.WriteInt32BigEndian(chunk, data.Length);
        typeBytes.CopyTo(chunk, 4);
        data.CopyTo(chunk, 8);
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), Crc32.Compute([.. typeBytes, .. data]));
        return chunk;
    }

    /// <summary>Signature, IHDR, the extra chunks, one IDAT with <paramref name="scanlines"/> (stored), IEND.</summary>
    public static byte[] File(byte[] header, byte[] scanlines, params byte[][] extraChunks) =>
        [.. Signature, .. Chunk("IHDR", header), .. extraChunks.SelectMany(c => c), .. Chunk("IDAT", Stored(scanlines)), .. Chunk("IEND", [])];

    /// <summary>The chunks of a PNG file: (type, data, offset of the chunk).</summary>
    public static List<(string Type, byte[] Data, int Offset)> Chunks(byte[] png)
    {
        var chunks = new List<(string, byte[], int)>();
        for (var at = 8; at + 12 <= png.Length;)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
            chunks.Add((Encoding.ASCII.GetString(png, at + 4, 4), png[(at + 8)..(at + 8 + length)], at));
            at += 12 + length;
        }
        return chunks;
    }
}
