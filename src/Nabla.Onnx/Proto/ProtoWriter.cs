using Google.Protobuf;
using static Google.Protobuf.WireFormat;

namespace Nabla.Onnx.Proto;

/// <summary>Serialises the ONNX messages Nabla writes (field numbers from onnx.proto) with Google.Protobuf's CodedOutputStream.</summary>
internal static class ProtoWriter
{
    public static byte[] Write(ModelProto model) => Message(o => WriteModel(o, model));

    public static byte[] Write(TensorProto tensor) => Message(o => WriteTensor(o, tensor));

    /// <summary>A nested message is written as its length and bytes, so it is serialised on its own first.</summary>
    private static byte[] Message(Action<CodedOutputStream> write)
    {
        using var stream = new MemoryStream();
        using (var output = new CodedOutputStream(stream, leaveOpen: true)) write(output);
        return stream.ToArray();
    }

    private static void Nested(CodedOutputStream o, int field, Action<CodedOutputStream> write)
    {
        o.WriteTag(field, WireType.LengthDelimited);
        o.WriteBytes(UnsafeByteOperations.UnsafeWrap(Message(write)));
    }

    private static void String(CodedOutputStream o, int field, string value)
    {
        if (value.Length == 0) return;
        o.WriteTag(field, WireType.LengthDelimited);
        o.WriteString(value);
    }

    private static void Int64(CodedOutputStream o, int field, long value)
    {
        if (value == 0) return;
        o.WriteTag(field, WireType.Varint);
        o.WriteInt64(value);
    }

    private static void PackedInt64s(CodedOutputStream o, int field, IReadOnlyCollection<long> values)
    {
        if (values.Count == 0) return;
        Nested(o, field, p =>
        {
            foreach (var v in values) p.WriteInt64(v);
        });
    }

    private static void WriteModel(CodedOutputStream o, ModelProto model)
    {
        Int64(o, 1, model.IrVersion);
        String(o, 2, model.ProducerName);
        String(o, 3, model.ProducerVersion);
        String(o, 4, model.Domain);
        Int64(o, 5, model.ModelVersion);
        String(o, 6, model.DocString);
        if (model.Graph is { } graph) Nested(o, 7, g => WriteGraph(g, graph));
        foreach (var opset in model.OpsetImport)
        {
            Nested(o, 8, s =>
            {
                String(s, 1, opset.Domain);
                Int64(s, 2, opset.Version);
            });
        }
        foreach (var (key, value) in model.MetadataProps)
        {
            Nested(o, 14, e =>
            {
                String(e, 1, key);
                String(e, 2, value);
            });
        }
    }

    private static void WriteGraph(CodedOutputStream o, GraphProto graph)
    {
        foreach (var node in graph.Nodes) Nested(o, 1, n => WriteNode(n, node));
        String(o, 2, graph.Name);
        foreach (var t in graph.Initializers) Nested(o, 5, w => WriteTensor(w, t));
        String(o, 10, graph.DocString);
        foreach (var v in graph.Inputs) Nested(o, 11, w => WriteValueInfo(w, v));
        foreach (var v in graph.Outputs) Nested(o, 12, w => WriteValueInfo(w, v));
        foreach (var v in graph.ValueInfo) Nested(o, 13, w => WriteValueInfo(w, v));
    }

    private static void WriteNode(CodedOutputStream o, NodeProto node)
    {
        foreach (var input in node.Inputs)
        {
            // An empty name marks an omitted optional input; it must still be written to keep positions.
            o.WriteTag(1, WireType.LengthDelimited);
            o.WriteString(input);
        }
        foreach (var output in node.Outputs)
        {
            o.WriteTag(2, WireType.LengthDelimited);
            o.WriteString(output);
        }
        String(o, 3, node.Name);
        String(o, 4, node.OpType);
        foreach (var a in node.Attributes) Nested(o, 5, w => WriteAttribute(w, a));
        String(o, 6, node.DocString);
        String(o, 7, node.Domain);
    }

    private static void WriteAttribute(CodedOutputStream o, AttributeProto a)
    {
        String(o, 1, a.Name);
        switch (a.Type)
        {
            case AttributeKind.Float:
                o.WriteTag(2, WireType.Fixed32);
                o.WriteFloat(a.F);
                break;
            case AttributeKind.Int:
                o.WriteTag(3, WireType.Varint);
                o.WriteInt64(a.I);
                break;
            case AttributeKind.String:
                o.WriteTag(4, WireType.LengthDelimited);
                o.WriteBytes(ByteString.CopyFrom(a.S));
                break;
            case AttributeKind.Tensor:
                Nested(o, 5, w => WriteTensor(w, a.T!));
                break;
            case AttributeKind.Floats:
                Nested(o, 7, p =>
                {
                    foreach (var f in a.Floats) p.WriteFloat(f);
                });
                break;
            case AttributeKind.Ints:
                PackedInt64s(o, 8, a.Ints);
                break;
            case AttributeKind.Strings:
                foreach (var s in a.Strings)
                {
                    o.WriteTag(9, WireType.LengthDelimited);
                    o.WriteBytes(ByteString.CopyFrom(s));
                }
                break;
            default:
                throw new NotSupportedException($"ONNX writer: attribute '{a.Name}' of type {a.Type} is not written by Nabla.");
        }
        o.WriteTag(20, WireType.Varint);
        o.WriteEnum((int)a.Type);
    }

    private static void WriteTensor(CodedOutputStream o, TensorProto t)
    {
        PackedInt64s(o, 1, t.Dims);
        Int64(o, 2, (long)t.DataType);
        if (t.FloatData.Count > 0)
        {
            Nested(o, 4, p =>
            {
                foreach (var f in t.FloatData) p.WriteFloat(f);
            });
        }
        PackedInt64s(o, 7, t.Int64Data);
        String(o, 8, t.Name);
        if (t.RawData is { } raw)
        {
            o.WriteTag(9, WireType.LengthDelimited);
            o.WriteBytes(UnsafeByteOperations.UnsafeWrap(raw));
        }
    }

    private static void WriteValueInfo(CodedOutputStream o, ValueInfoProto v)
    {
        String(o, 1, v.Name);
        if (v.ElementType is not { } type) return;
        Nested(o, 2, typeProto => Nested(typeProto, 1, tensorType =>
        {
            Int64(tensorType, 1, (long)type);
            if (v.Shape is { } shape)
            {
                Nested(tensorType, 2, shapeProto =>
                {
                    foreach (var dim in shape)
                    {
                        Nested(shapeProto, 1, d =>
                        {
                            if (dim.Value is { } value)
                            {
                                // dim_value is written even when 0: a zero-sized axis differs from an unknown one.
                                d.WriteTag(1, WireType.Varint);
                                d.WriteInt64(value);
                            }
                            else if (dim.Param is { } param)
                            {
                                String(d, 2, param);
                            }
                        });
                    }
                });
            }
        }));
    }
}
