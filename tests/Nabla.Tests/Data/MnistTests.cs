using System.IO.Compression;
using Nabla.Data;
using Nabla.Tests.Support;

namespace Nabla.Tests.Data;

public class MnistTests
{
    private static readonly string Dir = Repo.Path("data", "mnist");

    [Fact]
    public void The_bundled_digits_load_with_the_documented_counts_and_first_labels()
    {
        var train = Mnist.Load(Dir, train: true);
        var test = Mnist.Load(Dir, train: false);
        Assert.Equal(8000, train.Count);
        Assert.Equal(2000, test.Count);
        Assert.Equal([8000, 1, 28, 28], train.Inputs.Shape.ToArray());
        Assert.Equal([5f, 8f, 6f, 2f, 6f, 2f, 1f, 5f, 1f, 5f, 7f, 1f, 0f, 8f, 3f, 8f, 3f, 3f, 0f, 3f], train.Targets.Narrow(0, 0, 20).ToArray());
        Assert.Equal(2f, test.Targets.Narrow(0, 0, 1).Item());
        var counts = train.Targets.ToArray().GroupBy(v => (int)v).OrderBy(g => g.Key).Select(g => g.Count()).ToArray();
        Assert.Equal([801, 902, 793, 826, 784, 690, 811, 856, 755, 782], counts);
        Assert.Equal(0f, train.Inputs.Min().Item());
        Assert.Equal(1f, train.Inputs.Max().Item());
    }

    private static string Temp(string name, byte[] bytes)
    {
        var dir = Directory.CreateTempSubdirectory("nabla-idx").FullName;
        var path = Path.Combine(dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static byte[] Header(byte type, params int[] dims)
    {
        var bytes = new List<byte> { 0, 0, type, (byte)dims.Length };
        foreach (var d in dims) bytes.AddRange([(byte)(d >> 24), (byte)(d >> 16), (byte)(d >> 8), (byte)d]);
        return [.. bytes];
    }

    [Fact]
    public void Raw_and_gzipped_idx_files_read_the_same()
    {
        byte[] file = [.. Header(8, 2, 3), 1, 2, 3, 4, 5, 255];
        var (shape, data) = Idx.Read(Temp("a-idx2-ubyte", file));
        Assert.Equal([2, 3], shape);
        Assert.Equal([1, 2, 3, 4, 5, 255], data);
        using var packed = new MemoryStream();
        using (var gz = new GZipStream(packed, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(file);
        Assert.Equal(data, Idx.Read(Temp("a-idx2-ubyte.gz", packed.ToArray())).Data);
    }

    public static TheoryData<string, byte[], string> CorruptFiles() => new()
    {
        { "truncated data", [.. Header(8, 2, 3), 1, 2, 3], "truncated: the header declares 2×3 = 6 bytes of data, but 3 follow" },
        { "trailing bytes", [.. Header(8, 1, 2), 1, 2, 3], "has trailing bytes" },
        { "bad magic", [1, 0, 8, 1, 0, 0, 0, 0], "bad IDX magic number" },
        { "float type", [.. Header(0x0D, 1)], "element type 0x0D is not supported" },
        { "short header", [0, 0, 8, 3, 0, 0, 0, 1], "truncated IDX header" },
        { "empty", [], "too short for an IDX header" },
    };

    [Theory]
    [MemberData(nameof(CorruptFiles))]
    public void Corrupt_idx_files_are_reported_with_the_path_and_the_problem(string label, byte[] bytes, string expected)
    {
        var path = Temp("bad-idx-ubyte", bytes);
        var error = Assert.Throws<InvalidDataException>(() => Idx.Read(path));
        Assert.Contains(path, error.Message);
        Assert.Contains(expected, error.Message);
        Assert.False(string.IsNullOrEmpty(label));
    }

    [Fact]
    public void A_broken_gzip_file_or_a_missing_file_names_the_path()
    {
        var path = Temp("x-idx1-ubyte.gz", [0x1f, 0x8b, 8, 0, 1, 2, 3]);
        Assert.Contains(path, Assert.ThrowsAny<Exception>(() => Idx.Read(path)).Message);
        var missing = Assert.Throws<FileNotFoundException>(() => Mnist.Load(Path.GetTempPath() + "no-such-dir"));
        Assert.Contains("train-images-idx3-ubyte", missing.Message);
    }

    [Fact]
    public void Mismatched_image_and_label_counts_are_an_error()
    {
        var dir = Directory.CreateTempSubdirectory("nabla-mnist").FullName;
        File.WriteAllBytes(Path.Combine(dir, "train-images-idx3-ubyte"), [.. Header(8, 2, 1, 1), 0, 255]);
        File.WriteAllBytes(Path.Combine(dir, "train-labels-idx1-ubyte"), [.. Header(8, 3), 0, 1, 2]);
        Assert.Contains("holds 2 images but", Assert.Throws<InvalidDataException>(() => Mnist.Load(dir)).Message);
        File.WriteAllBytes(Path.Combine(dir, "train-labels-idx1-ubyte"), [.. Header(8, 2), 0, 12]);
        Assert.Contains("label 12 at position 1 is not a digit", Assert.Throws<InvalidDataException>(() => Mnist.Load(dir)).Message);
    }
}
