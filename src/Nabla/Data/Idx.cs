using System.Buffers.Binary;
using System.IO.Compression;

namespace Nabla.Data;

/// <summary>
/// Reader for the IDX format of the MNIST files: magic 00 00 08 d (unsigned bytes, d axes), d big-endian
/// int32 sizes, then the data row-major. Files ending in .gz are decompressed on the fly.
/// Every way a file can be wrong is reported as an InvalidDataException with the file's path and what was
/// expected, before the data is allocated: sizes are checked against the file (or, for gzip, against what
/// actually decompresses), so a hostile header cannot make the reader allocate gigabytes.
/// </summary>
public static class Idx
{
    /// <summary>Reads an unsigned-byte IDX file: its axis sizes and its bytes.</summary>
    public static (int[] Shape, byte[] Data) Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"IDX file not found: {path}", path);
        using var file = File.OpenRead(path);
        return Read(file, path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase), path);
    }

    /// <summary>Parses IDX bytes; <paramref name="source"/> names the data in error messages.</summary>
    public static (int[] Shape, byte[] Data) Parse(ReadOnlySpan<byte> bytes, string source)
    {
        using var stream = new MemoryStream(bytes.ToArray(), writable: false);
        return Read(stream, gzipped: false, source);
    }

    /// <summary>Reads IDX data from <paramref name="stream"/> (gzip-compressed when <paramref name="gzipped"/>) to its end.</summary>
    internal static (int[] Shape, byte[] Data) Read(Stream stream, bool gzipped, string source)
    {
        if (!gzipped) return ReadBody(stream, gzipped, source);
        using var gz = new GZipStream(stream, CompressionMode.Decompress, leaveOpen: true);
        return ReadBody(gz, gzipped, source);
    }

    private static (int[] Shape, byte[] Data) ReadBody(Stream stream, bool gzipped, string source)
    {
        Span<byte> magic = stackalloc byte[4];
        var got = Fill(stream, magic, gzipped, source);
        if (got < 4) throw new InvalidDataException($"{source}: {got} bytes is too short for an IDX header (4-byte magic number).");
        if (magic[0] != 0 || magic[1] != 0)
        {
            throw new InvalidDataException($"{source}: bad IDX magic number {magic[0]:X2} {magic[1]:X2} {magic[2]:X2} {magic[3]:X2}; expected 00 00 08 followed by the number of axes.");
        }
        if (magic[2] != 0x08)
        {
            throw new InvalidDataException($"{source}: IDX element type 0x{magic[2]:X2} is not supported; expected 0x08 (unsigned byte).");
        }
        int rank = magic[3];
        if (rank == 0) throw new InvalidDataException($"{source}: IDX header declares 0 axes.");
        var sizes = new byte[4 * rank];
        got = Fill(stream, sizes, gzipped, source);
        if (got < sizes.Length)
        {
            throw new InvalidDataException($"{source}: truncated IDX header: {rank} axis sizes need {4 + 4 * rank} bytes, the file has {4 + got}.");
        }
        var shape = new int[rank];
        for (var d = 0; d < rank; d++)
        {
            var size = BinaryPrimitives.ReadInt32BigEndian(sizes.AsSpan(4 * d, 4));
            if (size < 0) throw new InvalidDataException($"{source}: IDX axis {d} has negative size {size}.");
            shape[d] = size;
        }
        var count = CountOf(shape, source);
        var declared = $"the header declares {string.Join("×", shape)} = {count} bytes of data";
        if (!gzipped && stream.CanSeek)
        {
            // The length is known: compare before allocating anything.
            var body = stream.Length - stream.Position;
            if (body != count)
            {
                var what = body < count ? "truncated" : "has trailing bytes";
                throw new InvalidDataException($"{source}: {what}: {declared}, but {body} follow.");
            }
        }
        var data = ReadData(stream, count, gzipped, source, declared);
        Span<byte> probe = stackalloc byte[1];
        if (Fill(stream, probe, gzipped, source) != 0) throw new InvalidDataException($"{source}: has trailing bytes: {declared}, but more follow.");
        return (shape, data);
    }

    /// <summary>The product of the sizes; more than one array can hold is an error (checked without overflow).</summary>
    private static int CountOf(int[] shape, string source)
    {
        if (shape.Contains(0)) return 0;
        long count = 1;
        foreach (var size in shape)
        {
            count *= size; // both factors are below 2^31, so the product fits in a long
            if (count > Array.MaxLength)
            {
                throw new InvalidDataException($"{source}: the IDX header declares {string.Join("×", shape)} bytes of data, more than the {Array.MaxLength} one array can hold.");
            }
        }
        return (int)count;
    }

    /// <summary>
    /// Reads <paramref name="count"/> bytes, growing the buffer only as data actually arrives, so a small
    /// (compressed) file that claims a huge size fails as truncated instead of allocating that size up front.
    /// </summary>
    private static byte[] ReadData(Stream stream, int count, bool gzipped, string source, string declared)
    {
        var data = new byte[Math.Min(count, 1 << 16)];
        var filled = 0;
        while (true)
        {
            filled += Fill(stream, data.AsSpan(filled), gzipped, source);
            if (filled < data.Length) throw new InvalidDataException($"{source}: truncated: {declared}, but {filled} follow.");
            if (filled == count) return data;
            Array.Resize(ref data, (int)Math.Min(count, 2L * data.Length));
        }
    }

    /// <summary>Reads until <paramref name="buffer"/> is full or the stream ends; returns the bytes read.</summary>
    private static int Fill(Stream stream, Span<byte> buffer, bool gzipped, string source)
    {
        var total = 0;
        try
        {
            while (total < buffer.Length)
            {
                var n = stream.Read(buffer[total..]);
                if (n == 0) break;
                total += n;
            }
        }
        catch (InvalidDataException e) when (gzipped)
        {
            throw new InvalidDataException($"{source}: not a valid gzip file ({e.Message}).", e);
        }
        return total;
    }
}

/// <summary>The MNIST handwritten digits in the standard four-file IDX layout (optionally gzipped).</summary>
public static class Mnist
{
    /// <summary>
    /// Loads the training or test part from <paramref name="directory"/>: images [N, 1, 28, 28] scaled to [0, 1]
    /// and labels [N] (0-9). Looks for <c>train-images-idx3-ubyte[.gz]</c>, <c>train-labels-idx1-ubyte[.gz]</c>
    /// (or <c>t10k-...</c> for the test part).
    /// </summary>
    public static TensorDataset Load(string directory, bool train = true)
    {
        var prefix = train ? "train" : "t10k";
        var imagesPath = Find(directory, $"{prefix}-images-idx3-ubyte");
        var labelsPath = Find(directory, $"{prefix}-labels-idx1-ubyte");
        var (imageShape, pixels) = Idx.Read(imagesPath);
        var (labelShape, labels) = Idx.Read(labelsPath);
        if (imageShape.Length != 3) throw new InvalidDataException($"{imagesPath}: expected 3 axes (count, rows, columns); the header has {imageShape.Length}.");
        if (labelShape.Length != 1) throw new InvalidDataException($"{labelsPath}: expected 1 axis (count); the header has {labelShape.Length}.");
        if (imageShape[0] != labelShape[0])
        {
            throw new InvalidDataException($"{imagesPath} holds {imageShape[0]} images but {labelsPath} holds {labelShape[0]} labels.");
        }
        for (var i = 0; i < labels.Length; i++)
        {
            if (labels[i] > 9) throw new InvalidDataException($"{labelsPath}: label {labels[i]} at position {i} is not a digit 0-9.");
        }
        var images = new float[pixels.Length];
        for (var i = 0; i < pixels.Length; i++) images[i] = pixels[i] / 255f;
        var x = Tensor.FromArray(images, imageShape[0], 1, imageShape[1], imageShape[2]);
        var y = Tensor.FromArray(Array.ConvertAll(labels, l => (float)l), labels.Length);
        return new TensorDataset(x, y);
    }

    private static string Find(string directory, string name)
    {
        foreach (var candidate in new[] { name + ".gz", name })
        {
            var path = Path.Combine(directory, candidate);
            if (File.Exists(path)) return path;
        }
        throw new FileNotFoundException($"MNIST: neither {name}.gz nor {name} is in {Path.GetFullPath(directory)}.", Path.Combine(directory, name));
    }
}
