using System.IO.Compression;
using System.Text;
using Nabla.Data;
using Nabla.Serialization;

namespace Nabla.Tests.Serialization;

/// <summary>Every kind of broken file is refused with its format's exception and a message naming the problem, without big allocations.</summary>
public class CorruptFileTests
{
    private const string A = """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""";
    private static readonly byte[] Eight = SafeTensorsBytes.Floats(1f, 2f);
    private static readonly byte[] Twelve = SafeTensorsBytes.Floats(1f, 2f, 3f);

    private static string Tensor(string name, string dtype, string shape, string offsets) =>
        $$"""{{name}}:{"dtype":{{dtype}},"shape":{{shape}},"data_offsets":{{offsets}}}""";

    private static string One(string dtype = "\"F32\"", string shape = "[2]", string offsets = "[0,8]") => "{" + Tensor("\"a\"", dtype, shape, offsets) + "}";

    public static TheoryData<string, byte[], string> CorruptSafeTensors()
    {
        var invalidUtf8 = SafeTensorsBytes.Build("{\"a\":1}", []);
        invalidUtf8[10] = 0xFF;
        var ones65 = "[" + string.Join(",", Enumerable.Repeat("1", 65)) + "]";
        return new()
        {
            { "empty", [], "0 bytes is too short for the 8-byte header length" },
            { "length only", SafeTensorsBytes.Build("", [])[..5], "5 bytes is too short" },
            { "length beyond the file", SafeTensorsBytes.Build(A, Eight, declaredLength: 1000), "header length 1000 bytes goes beyond the end of the file (only " },
            { "absurd length", SafeTensorsBytes.Build(A, Eight, declaredLength: 1UL << 40), "header length 1099511627776 bytes is absurd" },
            { "length 2^64 - 1", SafeTensorsBytes.Build(A, Eight, declaredLength: ulong.MaxValue), "is absurd (the limit is 104857600 bytes" },
            { "zero length", SafeTensorsBytes.Build(A, Eight, declaredLength: 0), "header length 0 is too small" },
            { "invalid UTF-8", invalidUtf8, "the header is not valid UTF-8" },
            { "not an object", SafeTensorsBytes.Build("[1,2]", []), "must start with '{' (a JSON object) but starts with '[1,2]'" },
            { "invalid JSON", SafeTensorsBytes.Build("{\"a\":", []), "the header is not valid JSON" },
            { "trailing comma", SafeTensorsBytes.Build("{\"__metadata__\":{},}", []), "the header is not valid JSON" },
            { "deep nesting", SafeTensorsBytes.Build("{\"a\":" + new string('[', 5000) + new string(']', 5000) + "}", []), "nested at most 3 levels deep" },
            { "nested shape", SafeTensorsBytes.Build(One(shape: "[[2]]"), Eight), "nested at most 3 levels deep" },
            { "metadata value", SafeTensorsBytes.Build("""{"__metadata__":{"epoch":3}}""", []), "__metadata__ value 'epoch' must be a string but is the number 3" },
            { "metadata kind", SafeTensorsBytes.Build("""{"__metadata__":"x"}""", []), "__metadata__ must be an object mapping strings to strings but is the string \"x\"" },
            { "tensor kind", SafeTensorsBytes.Build("""{"a":[1]}""", []), "tensor 'a' must be an object with dtype, shape and data_offsets but is an array of 1" },
            { "missing dtype", SafeTensorsBytes.Build("""{"a":{"shape":[2],"data_offsets":[0,8]}}""", Eight), "tensor 'a' has no dtype" },
            { "missing offsets", SafeTensorsBytes.Build("""{"a":{"dtype":"F32","shape":[2]}}""", Eight), "tensor 'a' has no data_offsets" },
            { "unknown field", SafeTensorsBytes.Build("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"strides":[1]}}""", Eight), "tensor 'a' has unknown field 'strides'" },
            { "repeated field", SafeTensorsBytes.Build("""{"a":{"dtype":"F32","dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", Eight), "tensor 'a' has field 'dtype' twice" },
            { "dtype type", SafeTensorsBytes.Build(One(dtype: "5"), Eight), "tensor 'a': dtype must be a string but is the number 5" },
            { "unknown dtype", SafeTensorsBytes.Build(One(dtype: "\"F8_E4M3\""), Eight), "tensor 'a': unknown dtype 'F8_E4M3'; supported: F32, F64, F16, BF16, I64, I32, I16, I8, U8, BOOL" },
            { "lower-case dtype", SafeTensorsBytes.Build(One(dtype: "\"f32\""), Eight), "unknown dtype 'f32'" },
            { "shape type", SafeTensorsBytes.Build(One(shape: "\"2\""), Eight), "tensor 'a': shape must be an array of integers but is the string \"2\"" },
            { "fractional axis", SafeTensorsBytes.Build(One(shape: "[2.5]"), Eight), "shape axis 0 is 2.5, not an integer" },
            { "null axis", SafeTensorsBytes.Build(One(shape: "[null]"), Eight), "shape axis 0 must be an integer but is null" },
            { "negative axis", SafeTensorsBytes.Build(One(shape: "[-2]"), Eight), "shape axis 0 has negative size -2" },
            { "absurd axis", SafeTensorsBytes.Build(One(shape: "[4294967296]"), Eight), "shape axis 0 has absurd size 4294967296" },
            { "absurd count", SafeTensorsBytes.Build(One(shape: "[100000,100000,100000]"), Eight), "shape [100000, 100000, 100000] has more than 2147483591 elements" },
            { "absurd rank", SafeTensorsBytes.Build(One(shape: ones65), Eight), "shape has 65 axes, more than the 64 allowed" },
            { "shape and size disagree", SafeTensorsBytes.Build(One(shape: "[3]"), Eight), "shape [3] of F32 needs 3 × 4 = 12 bytes but data_offsets [0, 8] hold 8" },
            { "dtype and size disagree", SafeTensorsBytes.Build(One(dtype: "\"F64\""), Eight), "shape [2] of F64 needs 2 × 8 = 16 bytes" },
            { "offsets not a pair", SafeTensorsBytes.Build(One(offsets: "[0]"), Eight), "data_offsets must be an array of two integers [begin, end] but is an array of 1" },
            { "offset type", SafeTensorsBytes.Build(One(offsets: "[\"0\",8]"), Eight), "data_offsets begin must be an integer but is the string \"0\"" },
            { "negative offset", SafeTensorsBytes.Build(One(offsets: "[-8,0]"), Eight), "data_offsets begin is negative (-8)" },
            { "huge offset", SafeTensorsBytes.Build(One(offsets: "[0,18446744073709551615]"), Eight), "data_offsets end 18446744073709551615 is not an integer within the file's range" },
            { "begin after end", SafeTensorsBytes.Build(One(offsets: "[8,0]"), Eight), "data_offsets begin 8 is after end 0" },
            { "out of range", SafeTensorsBytes.Build(One(offsets: "[8,16]"), Eight), "data_offsets [8, 16] are out of range: the data section has 8 bytes" },
            { "overlap", SafeTensorsBytes.Build("{" + Tensor("\"a\"", "\"F32\"", "[2]", "[0,8]") + "," + Tensor("\"b\"", "\"F32\"", "[2]", "[4,12]") + "}", Twelve), "tensors 'a' [0, 8] and 'b' [4, 12] overlap" },
            { "same range twice", SafeTensorsBytes.Build("{" + Tensor("\"a\"", "\"F32\"", "[2]", "[0,8]") + "," + Tensor("\"b\"", "\"F32\"", "[2]", "[0,8]") + "}", Eight), "tensors 'a' [0, 8] and 'b' [0, 8] overlap" },
            { "gap", SafeTensorsBytes.Build(One(offsets: "[4,12]"), Twelve), "bytes 0 to 4 of the data section belong to no tensor (a gap before 'a')" },
            { "trailing bytes", SafeTensorsBytes.Build(A, Twelve), "the tensors cover 8 bytes but the data section has 12: 4 trailing bytes" },
            { "duplicate name", SafeTensorsBytes.Build("{" + Tensor("\"a\"", "\"F32\"", "[1]", "[0,4]") + "," + Tensor("\"a\"", "\"F32\"", "[1]", "[4,8]") + "}", Eight), "the name 'a' appears twice in the header" },
            { "empty name", SafeTensorsBytes.Build("{" + Tensor("\"\"", "\"F32\"", "[2]", "[0,8]") + "}", Eight), "a tensor has an empty name" },
        };
    }

    [Theory]
    [MemberData(nameof(CorruptSafeTensors))]
    public void Corrupt_safetensors_are_refused_with_the_problem_named(string label, byte[] bytes, string expected)
    {
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<SafeTensorsFormatException>(() => SafeTensorsBytes.Read(bytes, "bad.safetensors"));
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        Assert.StartsWith("bad.safetensors: ", error.Message);
        Assert.Contains(expected, error.Message);
        Assert.True(allocated < 4 << 20, $"{label}: refusing the file allocated {allocated} bytes");
    }

    [Fact]
    public void A_corrupt_file_on_disk_is_named_by_its_path_and_the_format_exception_is_an_io_exception()
    {
        var path = Path.Combine(SafeTensorsBytes.TempFolder(), "broken.safetensors");
        File.WriteAllBytes(path, SafeTensorsBytes.Build(A, Eight, declaredLength: 99));
        var error = Assert.Throws<SafeTensorsFormatException>(() => SafeTensors.Read(path));
        Assert.Contains(path + ": the header length 99 bytes goes beyond", error.Message);
        Assert.IsAssignableFrom<IOException>(error);
        Assert.Equal([1f, 2f], SafeTensorsBytes.Read(SafeTensorsBytes.Build(A, Eight)).Tensors["a"].ToArray()); // the control row loads
    }

    // ---- IDX ------------------------------------------------------------------------------------

    private static byte[] IdxHeader(params int[] dims)
    {
        var bytes = new List<byte> { 0, 0, 8, (byte)dims.Length };
        foreach (var d in dims) bytes.AddRange([(byte)(d >> 24), (byte)(d >> 16), (byte)(d >> 8), (byte)d]);
        return [.. bytes];
    }

    internal static byte[] Gzip(byte[] bytes)
    {
        using var packed = new MemoryStream();
        using (var gz = new GZipStream(packed, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(bytes);
        return packed.ToArray();
    }

    private static (int[] Shape, byte[] Data) ReadIdx(byte[] bytes, bool gzipped)
    {
        using var stream = new MemoryStream(bytes, writable: false);
        return Idx.Read(stream, gzipped, "bad-idx");
    }

    public static TheoryData<string, byte[], bool, string> CorruptIdx() => new()
    {
        // 2^16 four times is 2^64, which a 64-bit product wraps to 0: it must not pass as an empty file.
        { "2^64 elements", IdxHeader(65536, 65536, 65536, 65536), false, "declares 65536×65536×65536×65536 bytes of data, more than the 2147483591 one array can hold" },
        { "2^31 x 2^31", IdxHeader(int.MaxValue, int.MaxValue), false, "more than the 2147483591 one array can hold" },
        { "2 GB, raw", IdxHeader(2_000_000_000), false, "truncated: the header declares 2000000000 = 2000000000 bytes of data, but 0 follow" },
        { "2 GB, gzip", Gzip([.. IdxHeader(2_000_000_000), 1, 2, 3]), true, "truncated: the header declares 2000000000 = 2000000000 bytes of data, but 3 follow" },
        { "absurd, gzip", Gzip(IdxHeader(65536, 65536, 65536, 65536)), true, "more than the 2147483591 one array can hold" },
        { "trailing, gzip", Gzip([.. IdxHeader(2), 1, 2, 3]), true, "has trailing bytes: the header declares 2 = 2 bytes of data, but more follow" },
        { "short header, gzip", Gzip([0, 0, 8, 2, 0, 0]), true, "truncated IDX header: 2 axis sizes need 12 bytes, the file has 6" },
        { "not gzip", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], true, "not a valid gzip file" },
    };

    [Theory]
    [MemberData(nameof(CorruptIdx))]
    public void Corrupt_idx_files_are_refused_before_allocating(string label, byte[] bytes, bool gzipped, string expected)
    {
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<InvalidDataException>(() => ReadIdx(bytes, gzipped));
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        Assert.Contains(expected, error.Message);
        Assert.StartsWith("bad-idx: ", error.Message);
        Assert.True(allocated < 4 << 20, $"{label}: refusing the file allocated {allocated} bytes");
    }

    [Fact]
    public void A_truncated_gzip_idx_file_is_invalid_data_and_whole_files_still_load()
    {
        var data = new byte[5000];
        new Random(7).NextBytes(data); // incompressible, so a cut gzip stream really loses data
        byte[] file = [.. IdxHeader(50, 100), .. data];
        var packed = Gzip(file);
        Assert.Equal(data, ReadIdx(packed, true).Data);
        Assert.Equal(data, ReadIdx(file, false).Data);
        foreach (var cut in new[] { 5, 10, packed.Length / 2, packed.Length - 20 })
        {
            Assert.True(Assert.Throws<InvalidDataException>(() => ReadIdx(packed[..cut], true)).Message.Length > 0, $"cut at {cut} of {packed.Length}");
        }
        var (shape, empty) = ReadIdx(IdxHeader(0, int.MaxValue), false); // a zero axis makes an empty file valid whatever the others say
        Assert.Equal([0, int.MaxValue], shape);
        Assert.Empty(empty);
    }

    // ---- CSV ------------------------------------------------------------------------------------

    private static CsvTable ParseCsv(string text, bool oneHot = false) =>
        Csv.Parse(text.Split('\n'), "bad.csv", "y", oneHot);

    [Theory]
    [InlineData("a,y\n1,2\nNaN,3\n", "line 3, column 'a': 'NaN' is not a finite number")]
    [InlineData("a,y\n1e999,2\n", "line 2, column 'a': '1e999' is not a finite number")]
    [InlineData("a,y\n1,2\n2,-Infinity\n", "line 3, column 'y': '-Infinity' is not a finite number")]
    [InlineData("y,a,y\n1,2,3\n", "the header names column 'y' more than once")]
    [InlineData("a,y\n1,2,3\n", "line 2: 3 fields; the header has 2")]
    [InlineData("", "the file is empty")]
    public void Corrupt_csv_files_are_invalid_data_naming_line_and_column(string text, string expected)
    {
        Assert.Contains(expected, Assert.Throws<InvalidDataException>(() => ParseCsv(text)).Message);
    }

    [Fact]
    public void A_csv_header_without_rows_loads_as_an_empty_table_even_one_hot()
    {
        // Found by the fuzz test: one-hot encoding of zero classes used to throw an ArgumentException from OneHot.
        var table = ParseCsv("a,y\n", oneHot: true);
        Assert.Equal([0, 1], table.Features.Shape.ToArray());
        Assert.Equal([0, 0], table.Targets.Shape.ToArray());
        Assert.Empty(table.Classes!);
    }

    [Fact]
    public void Csv_refuses_one_hot_targets_too_large_to_hold_and_labels_many_classes_fast()
    {
        var lines = new string[20_001];
        lines[0] = "a,y";
        for (var i = 1; i < lines.Length; i++) lines[i] = $"{i},class{i}";
        var error = Assert.Throws<InvalidDataException>(() => Csv.Parse(lines, "big.csv", "y", oneHot: true));
        Assert.Contains("one-hot targets for 20000 rows and 20000 classes would need 400000000 values", error.Message);
        var table = Csv.Parse(lines, "big.csv", "y"); // label encoding: one pass with a dictionary, not a list search per row
        Assert.Equal(20_000, table.Classes!.Count);
        Assert.Equal(19_999f, table.Targets.Select(0, 19_999).Item());
    }
}
