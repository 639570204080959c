using System.Diagnostics;
using Nabla.NN;
using Nabla.Onnx;
using static Nabla.Tests.OnnxTests.OnnxTestSupport;

namespace Nabla.Tests.OnnxTests;

/// <summary>Corrupt and hostile ONNX files: every one is rejected with OnnxFormatException and a clear message, never anything else.</summary>
public class HostileFileTests
{
    private static byte[] Valid() => Nabla.Onnx.Onnx.ExportBytes(new Sequential(new Linear(3, 4, generator: new Generator(1)), new Relu(), new Linear(4, 2)), Tensor.Zeros(1, 3));

    /// <summary>A protobuf varint.</summary>
    private static byte[] Varint(ulong value)
    {
        var bytes = new List<byte>();
        do
        {
            var b = (byte)(value & 0x7F);
            value >>= 7;
            bytes.Add(value != 0 ? (byte)(b | 0x80) : b);
        }
        while (value != 0);
        return [.. bytes];
    }

    private static byte[] Field(int field, int wire, params byte[][] parts) => [.. Varint((ulong)(field << 3 | wire)), .. parts.SelectMany(p => p)];

    private static byte[] Message(int field, byte[] body) => Field(field, 2, Varint((ulong)body.Length), body);

    /// <summary>A model whose graph holds one initializer (TensorProto fields: dims 1, data_type 2, name 8, raw_data 9).</summary>
    private static byte[] ModelWithTensor(byte[] tensor)
    {
        var graph = Message(5, tensor).Concat(Message(12, Message(1, "w"u8.ToArray()))).ToArray();
        var opset = Message(8, Field(2, 0, Varint(17)));
        return [.. Field(1, 0, Varint(8)), .. opset, .. Message(7, graph)];
    }

    private static byte[] Tensor1(long[] dims, int type, byte[] raw) =>
        [.. dims.SelectMany(d => Field(1, 0, Varint((ulong)d))), .. Field(2, 0, Varint((ulong)type)), .. Message(8, "w"u8.ToArray()), .. Message(9, raw)];

    private static byte[] NestedGraphs(int depth)
    {
        // node { attribute { g { node { attribute { g { ... } } } } } }
        byte[] graph = [];
        for (var i = 0; i < depth; i++)
        {
            var attribute = Message(1, "then_branch"u8.ToArray()).Concat(Field(20, 0, Varint(5))).Concat(Message(6, graph)).ToArray();
            var node = Message(4, "If"u8.ToArray()).Concat(Message(5, attribute)).ToArray();
            graph = Message(1, node);
        }
        return [.. Message(8, Field(2, 0, Varint(17))), .. Message(7, graph)];
    }

    public static TheoryData<string, byte[], string> CorruptFiles()
    {
        var valid = Valid();
        return new()
        {
            { "empty file", [], "no graph" },
            { "truncated in the middle", valid[..(valid.Length / 2)], "not a valid ModelProto" },
            { "truncated varint", [0x08, 0xFF, 0xFF], "not a valid ModelProto" },
            { "varint longer than 10 bytes", [0x08, .. Enumerable.Repeat((byte)0xFF, 11), 0x01], "not a valid ModelProto" },
            { "negative length", Field(7, 2, Varint(ulong.MaxValue)), "not a valid ModelProto" },
            { "length past the end", Field(7, 2, Varint(1 << 30), [1, 2, 3]), "not a valid ModelProto" },
            { "wrong wire type for the graph", Field(7, 0, Varint(3)), "ModelProto.graph has wire type Varint" },
            { "wrong wire type for a name", [.. Message(8, Field(2, 0, Varint(17))), .. Message(7, Field(2, 0, Varint(1)))], "GraphProto.name has wire type Varint" },
            { "field number 0", [0x00, 0x01], "not a valid ModelProto" },
            { "no opset", [.. Field(1, 0, Varint(8)), .. Message(7, Message(2, "g"u8.ToArray()))], "operator set" },
            { "raw data shorter than the dims", ModelWithTensor(Tensor1([2, 3], 1, new byte[20])), "needs 24 bytes of raw data; it has 20" },
            { "absurd dimensions", ModelWithTensor(Tensor1([1L << 40, 1L << 40], 1, new byte[8])), "dimension 1099511627776 on axis 0" },
            { "absurd element count", ModelWithTensor(Tensor1([1 << 30, 1 << 30, 1 << 30], 1, new byte[8])), "more than 2147483647 elements" },
            { "negative dimension", ModelWithTensor(Tensor1([-5], 1, new byte[8])), "dimension -5" },
            { "terabyte tensor with little data", ModelWithTensor(Tensor1([1 << 20, 1 << 20], 1, new byte[16])), "elements" },
            { "unsupported element type", ModelWithTensor(Tensor1([1], 8, new byte[1])), "data type STRING" },
            { "unknown element type", ModelWithTensor(Tensor1([1], 99, new byte[1])), "data type 99" },
            { "graphs nested too deeply", NestedGraphs(40), "nested more than 16 deep" },
            { "output never computed", [.. Message(8, Field(2, 0, Varint(17))), .. Message(7, Message(12, Message(1, "y"u8.ToArray())))], "'y' is never computed" },
            { "input used before it is defined", [.. Message(8, Field(2, 0, Varint(17))), .. Message(7, Message(1, Message(1, "x"u8.ToArray()).Concat(Message(4, "Relu"u8.ToArray())).ToArray()))], "uses 'x'" },
        };
    }

    [Theory]
    [MemberData(nameof(CorruptFiles))]
    public void Corrupt_file_is_rejected_clearly(string what, byte[] data, string message)
    {
        var e = Assert.Throws<OnnxFormatException>(() => OnnxModel.Load(data, "test.onnx"));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.StartsWith("test.onnx", e.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<IOException>(e);
        _ = what;
    }

    [Fact]
    public void Corrupt_TensorProto_file_is_rejected()
    {
        var path = Path.Combine(ExportFolder, "..", "onnx-corrupt-tensor.pb");
        Directory.CreateDirectory(ExportFolder);
        File.WriteAllBytes(path, Tensor1([4], 1, new byte[3]));
        Assert.Contains("needs 16 bytes", Assert.Throws<OnnxFormatException>(() => OnnxTensors.Read(path)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fuzzed_files_load_or_throw_OnnxFormatException()
    {
        byte[][] seeds =
        [
            Valid(),
            File.ReadAllBytes(FixturePath("lstm", "model.onnx")),
            File.ReadAllBytes(FixturePath("cnn", "model.onnx")),
        ];
        var random = new Random(1234);
        var (loaded, rejected) = (0, 0);
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < 10_000; i++)
        {
            var data = Mutate((byte[])seeds[i % seeds.Length].Clone(), random);
            try
            {
                OnnxModel.Load(data, "fuzz");
                loaded++;
            }
            catch (OnnxFormatException)
            {
                rejected++;
            }
            catch (Exception e)
            {
                Assert.Fail($"case {i}: {e.GetType().Name}: {e.Message}");
            }
        }
        Assert.Equal(10_000, loaded + rejected);
        Assert.True(rejected > 1000 && loaded > 100, $"loaded {loaded}, rejected {rejected}: the mutations should produce both");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"took {watch.Elapsed}");
    }

    private static byte[] Mutate(byte[] data, Random random)
    {
        switch (random.Next(5))
        {
            case 0: // flip 1-4 bits
                for (var k = random.Next(1, 5); k > 0; k--) data[random.Next(data.Length)] ^= (byte)(1 << random.Next(8));
                return data;
            case 1: // truncate
                return data[..random.Next(data.Length)];
            case 2: // a length (or any varint) replaced by a large or negative one
                var at = random.Next(data.Length);
                byte[] replacement = random.Next(3) switch
                {
                    0 => Varint(ulong.MaxValue),
                    1 => Varint((ulong)random.NextInt64(1, 1L << 40)),
                    _ => Varint((ulong)random.Next(0, 300)),
                };
                return [.. data[..at], .. replacement, .. data[Math.Min(data.Length, at + 1)..]];
            case 3: // one byte set to a random value
                data[random.Next(data.Length)] = (byte)random.Next(256);
                return data;
            default: // a run of bytes duplicated (repeated fields, shifted lengths)
                var start = random.Next(data.Length);
                var length = random.Next(1, Math.Min(64, data.Length - start + 1));
                return [.. data[..(start + length)], .. data[start..(start + length)], .. data[(start + length)..]];
        }
    }
}
