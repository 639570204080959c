using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Nabla.NN;
using Nabla.Serialization;
using Nabla.Tests.Support;

namespace Nabla.Tests.Serialization;

public class SafeTensorsTests
{
    private static StateDict Dict(params (string Name, Tensor Value)[] items)
    {
        var dict = new StateDict();
        foreach (var (name, value) in items) dict.Add(name, value);
        return dict;
    }

    [Fact]
    public void The_written_bytes_follow_the_format_read_back_by_hand()
    {
        var w = Tensor.FromArray([1f, -2f, 3.5f, 0.25f, 5f, 6f], 2, 3);
        var b = Tensor.FromArray([7f, 8f], 2);
        var bytes = SafeTensorsBytes.Write(Dict(("w", w), ("b", b)), new Dictionary<string, string> { ["epoch"] = "3" });

        var n = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0, (8 + n) % 8); // the data section starts 8-byte aligned
        using var header = JsonDocument.Parse(Encoding.UTF8.GetString(bytes, 8, n));
        var root = header.RootElement;
        Assert.Equal("3", root.GetProperty("__metadata__").GetProperty("epoch").GetString());
        Assert.Equal("F32", root.GetProperty("w").GetProperty("dtype").GetString());
        Assert.Equal([2, 3], root.GetProperty("w").GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal([0L, 24L], root.GetProperty("w").GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal([24L, 32L], root.GetProperty("b").GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal(8 + n + 32, bytes.Length);
        Assert.Equal(SafeTensorsBytes.Floats(1f, -2f, 3.5f, 0.25f, 5f, 6f, 7f, 8f), bytes[(8 + n)..]);
    }

    [Fact]
    public void A_hand_built_file_reads_with_its_shapes_values_metadata_and_header_order()
    {
        var bytes = SafeTensorsBytes.Build(
            """{"z":{"dtype":"F32","shape":[2],"data_offsets":[8,16]},"__metadata__":{"a":"b"},"a":{"dtype":"F32","shape":[1,2],"data_offsets":[0,8]}}""",
            SafeTensorsBytes.Floats(1f, 2f, 3f, 4f));
        var content = SafeTensorsBytes.Read(bytes);
        Assert.Equal(["z", "a"], content.Tensors.Keys);
        Assert.Equal([3f, 4f], content.Tensors["z"].ToArray());
        Assert.Equal([1, 2], content.Tensors["a"].Shape.ToArray());
        Assert.Equal([1f, 2f], content.Tensors["a"].ToArray());
        Assert.Equal("b", content.Metadata["a"]);
    }

    public static TheoryData<SafeTensorsDType, float[]> ExactValues() => new()
    {
        // Every value is representable in the type, so the round trip must be exact.
        { SafeTensorsDType.F32, [0.1f, -1e-30f, 3.4e38f, float.Epsilon, -0f, float.PositiveInfinity] },
        { SafeTensorsDType.F64, [0.1f, -1e-30f, 3.4e38f, float.Epsilon, -0f, float.NegativeInfinity] },
        { SafeTensorsDType.F16, [0.5f, -2f, 1.5f, 1024f, 0.0078125f, 65504f, 5.9604645e-8f] },
        { SafeTensorsDType.BF16, [0.5f, -2f, 1.5f, 1024f, 0.0078125f, 3.3895314e38f, 1.1754944e-38f] },
        { SafeTensorsDType.I64, [0f, -1f, 16777216f, -9.2233715E18f, 1e18f] },
        { SafeTensorsDType.I32, [0f, -1f, 2147483520f, -2147483648f, 12345f] },
        { SafeTensorsDType.I16, [0f, -1f, 32767f, -32768f] },
        { SafeTensorsDType.I8, [0f, -1f, 127f, -128f] },
        { SafeTensorsDType.U8, [0f, 1f, 255f, 128f] },
        { SafeTensorsDType.Bool, [0f, 1f, 1f, 0f] },
    };

    [Theory]
    [MemberData(nameof(ExactValues))]
    public void Every_dtype_round_trips_representable_values_exactly(SafeTensorsDType dtype, float[] values)
    {
        var tensor = Tensor.FromArray(values, values.Length);
        var bytes = SafeTensorsBytes.Write(Dict(("x", tensor)), dtype: dtype);
        var content = SafeTensorsBytes.Read(bytes);
        Assert.Equal(dtype, content.DTypes["x"]);
        Assert.Equal(values, content.Tensors["x"].ToArray());
        var sizes = new Dictionary<SafeTensorsDType, int>
        {
            [SafeTensorsDType.F64] = 8, [SafeTensorsDType.I64] = 8, [SafeTensorsDType.F32] = 4, [SafeTensorsDType.I32] = 4,
            [SafeTensorsDType.F16] = 2, [SafeTensorsDType.BF16] = 2, [SafeTensorsDType.I16] = 2,
            [SafeTensorsDType.I8] = 1, [SafeTensorsDType.U8] = 1, [SafeTensorsDType.Bool] = 1,
        };
        var n = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(sizes[dtype] * values.Length, bytes.Length - 8 - n);
    }

    [Fact]
    public void Half_precision_types_round_to_nearest_even()
    {
        // F16 has 10 mantissa bits: 1 + 2^-11 is halfway between 1 and 1 + 2^-10 (ties to the even 1); 1 + 3·2^-11 ties to 1 + 2^-9.
        // BF16 has 7: 1 + 2^-8 ties to 1; 1 + 3·2^-8 ties to 1 + 2^-6; just above a tie rounds up.
        float[] values = [1f + MathF.Pow(2, -11), 1f + 3 * MathF.Pow(2, -11), 1f + MathF.Pow(2, -8), 1f + 3 * MathF.Pow(2, -8), 1f + MathF.Pow(2, -8) + MathF.Pow(2, -20)];
        var x = Tensor.FromArray(values, values.Length);
        var f16 = SafeTensorsBytes.Read(SafeTensorsBytes.Write(Dict(("x", x)), dtype: SafeTensorsDType.F16)).Tensors["x"].ToArray();
        Assert.Equal(1f, f16[0]);
        Assert.Equal(1f + MathF.Pow(2, -9), f16[1]);
        var bf16 = SafeTensorsBytes.Read(SafeTensorsBytes.Write(Dict(("x", x)), dtype: SafeTensorsDType.BF16)).Tensors["x"].ToArray();
        Assert.Equal(1f, bf16[2]);
        Assert.Equal(1f + MathF.Pow(2, -6), bf16[3]);
        Assert.Equal(1f + MathF.Pow(2, -7), bf16[4]);
        var nan = SafeTensorsBytes.Read(SafeTensorsBytes.Write(Dict(("x", Tensor.Scalar(float.NaN))), dtype: SafeTensorsDType.BF16)).Tensors["x"];
        Assert.True(float.IsNaN(nan.Item()));
    }

    [Fact]
    public void Decoders_agree_with_pytorch_on_every_dtype()
    {
        // dtypes.safetensors was written by make_fixtures.py: the same numbers in each type, plus PyTorch's float32 view of the rounded halves.
        var (t, metadata) = SafeTensors.Read(Repo.Path("tests", "fixtures", "pytorch", "dtypes.safetensors"));
        Assert.Equal("every dtype", metadata["note"]);
        Check.Close(t["f64"].ToArray(), t["f32"], rtol: 0, atol: 0, context: "F64 -> F32");
        Assert.Equal(t["f16_as_f32"].ToArray(), t["f16"].ToArray());
        Assert.Equal(t["bf16_as_f32"].ToArray(), t["bf16"].ToArray());
        // And the encoders round float32 the way PyTorch does for these values.
        var ours = SafeTensorsBytes.Read(SafeTensorsBytes.Write(Dict(("h", t["f32"])), dtype: SafeTensorsDType.F16)).Tensors["h"];
        Assert.Equal(t["f16_as_f32"].ToArray(), ours.ToArray());
        var oursBf = SafeTensorsBytes.Read(SafeTensorsBytes.Write(Dict(("h", t["f32"])), dtype: SafeTensorsDType.BF16)).Tensors["h"];
        Assert.Equal(t["bf16_as_f32"].ToArray(), oursBf.ToArray());
        float[] whole = [0f, 1f, -2f, 3f, 100f, -128f, 127f, 255f];
        Assert.Equal(whole, t["i64"].ToArray());
        Assert.Equal(whole, t["i32"].ToArray());
        Assert.Equal(whole, t["i16"].ToArray());
        Assert.Equal(whole[..7], t["i8"].ToArray());
        Assert.Equal([0f, 1f, 2f, 3f, 100f, 128f, 127f, 255f], t["u8"].ToArray());
        Assert.Equal([1f, 0f, 1f], t["bool"].ToArray());
        Assert.Equal([2, 0], t["empty"].Shape.ToArray());
        Assert.Equal(0, t["scalar"].Rank);
        Assert.Equal(42.5f, t["scalar"].Item());
    }

    [Theory]
    [InlineData(SafeTensorsDType.I32, 2.5f, "element 1 is 2.5")]
    [InlineData(SafeTensorsDType.U8, -1f, "element 1 is -1")]
    [InlineData(SafeTensorsDType.I8, 128f, "element 1 is 128")]
    [InlineData(SafeTensorsDType.Bool, 2f, "0 or 1")]
    [InlineData(SafeTensorsDType.I64, float.NaN, "element 1 is NaN")]
    public void Integer_types_refuse_values_they_cannot_hold(SafeTensorsDType dtype, float bad, string expected)
    {
        var x = Tensor.FromArray([1f, bad], 2);
        var error = Assert.Throws<ArgumentException>(() => SafeTensorsBytes.Write(Dict(("x", x)), dtype: dtype));
        Assert.Contains("tensor 'x'", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Empty_and_zero_dimensional_tensors_and_views_round_trip()
    {
        var matrix = Tensor.Arange(6).Reshape(2, 3);
        var dict = Dict(
            ("empty", Tensor.Zeros(0)),
            ("empty2d", Tensor.Zeros(3, 0)),
            ("scalar", Tensor.Scalar(-4.5f)),
            ("transposed", matrix.T), // a strided view: its logical (row-major) values are written
            ("after", Tensor.FromArray([9f], 1)));
        var back = SafeTensorsBytes.Read(SafeTensorsBytes.Write(dict)).Tensors;
        Assert.Equal(["empty", "empty2d", "scalar", "transposed", "after"], back.Keys);
        Assert.Equal([0], back["empty"].Shape.ToArray());
        Assert.Equal([3, 0], back["empty2d"].Shape.ToArray());
        Assert.Equal(0, back["scalar"].Rank);
        Assert.Equal(-4.5f, back["scalar"].Item());
        Assert.Equal([3, 2], back["transposed"].Shape.ToArray());
        Assert.Equal([0f, 3f, 1f, 4f, 2f, 5f], back["transposed"].ToArray());
        Assert.Equal([9f], back["after"].ToArray());
        var none = SafeTensorsBytes.Read(SafeTensorsBytes.Write(new StateDict()));
        Assert.Empty(none.Tensors);
        Assert.Empty(none.Metadata);
    }

    [Fact]
    public void Metadata_round_trips_any_strings()
    {
        var metadata = new Dictionary<string, string>
        {
            ["epoch"] = "12",
            ["rng"] = "9E3779B97F4A7C15",
            ["json"] = """{"lr": [0.1, 0.01], "name": "é\"\\\n"}""",
            ["empty"] = "",
            ["ключ ∇"] = "значение",
        };
        var content = SafeTensorsBytes.Read(SafeTensorsBytes.Write(Dict(("x", Tensor.Ones(2))), metadata));
        Assert.Equal(metadata.OrderBy(kv => kv.Key), content.Metadata.OrderBy(kv => kv.Key));
    }

    [Fact]
    public void Files_round_trip_with_a_per_tensor_dtype_and_a_deconstructed_result()
    {
        var folder = SafeTensorsBytes.TempFolder();
        var path = Path.Combine(folder, "sub", "weights.safetensors"); // missing folders are created
        var dict = Dict(("w", Tensor.FromArray([0.5f, 1.5f], 2)), ("count", Tensor.Scalar(7f)));
        SafeTensors.Write(path, dict, null, name => name == "count" ? SafeTensorsDType.I64 : SafeTensorsDType.BF16);
        var content = SafeTensors.Read(path);
        var (tensors, metadata) = content;
        Assert.Equal(SafeTensorsDType.I64, content.DTypes["count"]);
        Assert.Equal(SafeTensorsDType.BF16, content.DTypes["w"]);
        Assert.Equal(7f, tensors["count"].Item());
        Assert.Equal([0.5f, 1.5f], tensors["w"].ToArray());
        Assert.Empty(metadata);
        Assert.Equal(["weights.safetensors"], Directory.GetFiles(Path.Combine(folder, "sub")).Select(Path.GetFileName));
    }

    [Fact]
    public void Bad_arguments_are_named()
    {
        Assert.Contains("'__metadata__' cannot name a tensor",
            Assert.Throws<ArgumentException>(() => SafeTensorsBytes.Write(Dict(("__metadata__", Tensor.Ones(1))))).Message);
        Assert.Contains("'' cannot name a tensor", Assert.Throws<ArgumentException>(() => SafeTensorsBytes.Write(Dict(("", Tensor.Ones(1))))).Message);
        Assert.Throws<FileNotFoundException>(() => SafeTensors.Read(Path.Combine(SafeTensorsBytes.TempFolder(), "missing.safetensors")));
        Assert.Contains("seekable", Assert.Throws<ArgumentException>(() => SafeTensors.Read(new NonSeekable())).Message);
    }

    private sealed class NonSeekable : MemoryStream
    {
        public override bool CanSeek => false;
    }
}
