using System.Buffers.Binary;
using System.IO.Compression;

namespace Nabla.Data;

/// <summary>
/// Reader for the IDX format of the MNIST files: magic 00 00 08 d (unsigned bytes, d axes), d big-endian
/// int32 sizes, then the data row-major. Files ending in .gz are decompressed on the fly.
/// Every way a file can be wrong is reported with the file's path and what was expected.
/// </summary>
public static class Idx
{
    /// <summary>Reads an unsigned-byte IDX file: its axis sizes and its bytes.</summary>
    public static (int[] Shape, byte[] Data) Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"IDX file not found: {path}", path);
        byte[] bytes;
        try
        {
            using var file = File.OpenRead(path);
            using Stream stream = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : file;
            using var memory = new MemoryStream();
            stream.CopyTo(memory);
            bytes = memory.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path}: not a valid gzip file ({e.Message}).", e);
        }
        return Parse(bytes, path);
    }

    /// <summary>Parses IDX bytes; <paramref name="source"/> names the data in error messages.</summary>
    public static (int[] Shape, byte[] Data) Parse(ReadOnlySpan<byte> bytes, string source)
    {
        if (bytes.Length < 4) throw new InvalidDataException($"{source}: {bytes.Length} bytes is too short for an IDX header (4-byte magic number).");
        if (bytes[0] != 0 || bytes[1] != 0)
        {
            throw new InvalidDataException($"{source}: bad IDX magic number {bytes[0]:X2} {bytes[1]:X2} {bytes[2]:X2} {bytes[3]:X2}; expected 00 00 08 followed by the number of axes.");
        }
        if (bytes[2] != 0x08)
        {
            throw new InvalidDataException($"{source}: IDX element type 0x{bytes[2]:X2} is not supported; expected 0x08 (unsigned byte).");
        }
        int rank = bytes[3];
        if (rank == 0) throw new InvalidDataException($"{source}: IDX header declares 0 axes.");
        if (bytes.Length < 4 + 4 * rank)
        {
            throw new InvalidDataException($"{source}: truncated IDX header: {rank} axis sizes need {4 + 4 * rank} bytes, the file has {bytes.Length}.");
        }
        var shape = new int[rank];
        long count = 1;
        for (var d = 0; d < rank; d++)
        {
            var size = BinaryPrimitives.ReadInt32BigEndian(bytes.Slice(4 + 4 * d, 4));
            if (size < 0) throw new InvalidDataException($"{source}: IDX axis {d} has negative size {size}.");
            shape[d] = size;
            count *= size;
        }
        var body = bytes[(4 + 4 * rank)..];
        if (body.Length != count)
        {
            var what = body.Length < count ? "truncated" : "has trailing bytes";
            throw new InvalidDataException($"{source}: {what}: the header declares {string.Join("×", shape)} = {count} bytes of data, but {body.Length} follow.");
        }
        return (shape, body.ToArray());
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
