using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Google.Protobuf;
using static Google.Protobuf.WireFormat;

namespace Nabla.Onnx.Proto;

/// <summary>
/// Parses ONNX protobuf messages by field number (onnx.proto) with Google.Protobuf's CodedInputStream.
/// Every failure (truncated varints, lengths past the end, wrong wire types, graphs nested too deeply) becomes an
/// <see cref="OnnxFormatException"/>; lengths are checked against the bytes actually present before anything is
/// allocated, so a corrupt length cannot ask for gigabytes.
/// </summary>
internal static class ProtoReader
{
    /// <summary>Graphs inside attributes inside graphs...: deeper than this is an attack, not a model.</summary>
    internal const int MaxGraphDepth = 16;

    public static ModelProto ReadModel(byte[] data, string source) => Guard(source, "ModelProto", () => ReadModel(Open(data)));

    public static TensorProto ReadTensor(byte[] data, string source) => Guard(source, "TensorProto", () => ReadTensor(Open(data)));

    private static T Guard<T>(string source, string what, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new OnnxFormatException($"{source}: not a valid {what}: {e.Message}", e);
        }
        catch (OnnxFormatException e)
        {
            throw new OnnxFormatException($"{source}: not a valid {what}: {e.Message}", e);
        }
    }

    private static CodedInputStream Open(byte[] data) => new(data);

    private static CodedInputStream Open(ByteString bytes) =>
        MemoryMarshal.TryGetArray(bytes.Memory, out var segment) && segment.Array is not null
            ? new CodedInputStream(segment.Array, segment.Offset, segment.Count)
            : new CodedInputStream(bytes.ToByteArray());

    /// <summary>Calls <paramref name="field"/> for each (field number, wire type) until the message ends.</summary>
    private static void ReadFields(CodedInputStream input, Action<int, WireType> field)
    {
        uint tag;
        while ((tag = input.ReadTag()) != 0) field(GetTagFieldNumber(tag), GetTagWireType(tag));
    }

    private static void Expect(WireType actual, WireType expected, string message, string field)
    {
        if (actual != expected) throw new OnnxFormatException($"{message}.{field} has wire type {actual}; expected {expected}.");
    }

    private static string String(CodedInputStream input, WireType wire, string message, string field)
    {
        Expect(wire, WireType.LengthDelimited, message, field);
        return input.ReadString();
    }

    private static long Int64(CodedInputStream input, WireType wire, string message, string field)
    {
        Expect(wire, WireType.Varint, message, field);
        return input.ReadInt64();
    }

    private static CodedInputStream Nested(CodedInputStream input, WireType wire, string message, string field)
    {
        Expect(wire, WireType.LengthDelimited, message, field);
        return Open(input.ReadBytes());
    }

    private static void Skip(CodedInputStream input) => input.SkipLastField();

    // ---- repeated scalars: packed (length-delimited) or one element per tag ----------------------------

    private static void Varints(CodedInputStream input, WireType wire, string message, string field, Action<CodedInputStream> add)
    {
        if (wire == WireType.Varint)
        {
            add(input);
            return;
        }
        var packed = Nested(input, wire, message, field);
        while (!packed.IsAtEnd) add(packed);
    }

    private static void Floats(CodedInputStream input, WireType wire, string message, string field, List<float> into)
    {
        if (wire == WireType.Fixed32)
        {
            into.Add(input.ReadFloat());
            return;
        }
        Expect(wire, WireType.LengthDelimited, message, field);
        var bytes = input.ReadBytes().Span;
        if (bytes.Length % 4 != 0) throw new OnnxFormatException($"{message}.{field}: packed floats take {bytes.Length} bytes, not a multiple of 4.");
        for (var i = 0; i < bytes.Length; i += 4) into.Add(BinaryPrimitives.ReadSingleLittleEndian(bytes[i..]));
    }

    private static void Doubles(CodedInputStream input, WireType wire, string message, string field, List<double> into)
    {
        if (wire == WireType.Fixed64)
        {
            into.Add(input.ReadDouble());
            return;
        }
        Expect(wire, WireType.LengthDelimited, message, field);
        var bytes = input.ReadBytes().Span;
        if (bytes.Length % 8 != 0) throw new OnnxFormatException($"{message}.{field}: packed doubles take {bytes.Length} bytes, not a multiple of 8.");
        for (var i = 0; i < bytes.Length; i += 8) into.Add(BinaryPrimitives.ReadDoubleLittleEndian(bytes[i..]));
    }

    // ---- messages -------------------------------------------------------------------------------------

    private static ModelProto ReadModel(CodedInputStream input)
    {
        const string M = "ModelProto";
        var model = new ModelProto();
        ReadFields(input, (field, wire) =>
        {
            switch (field)
            {
                case 1: model.IrVersion = Int64(input, wire, M, "ir_version"); break;
                case 8: model.OpsetImport.Add(ReadOpset(Nested(input, wire, M, "opset_import"))); break;
                case 2: model.ProducerName = String(input, wire, M, "producer_name"); break;
                case 3: model.ProducerVersion = String(input, wire, M, "producer_version"); break;
                case 4: model.Domain = String(input, wire, M, "domain"); break;
                case 5: model.ModelVersion = Int64(input, wire, M, "model_version"); break;
                case 6: model.DocString = String(input, wire, M, "doc_string"); break;
                case 7: model.Graph = ReadGraph(Nested(input, wire, M, "graph"), 1); break;
                case 14: model.MetadataProps.Add(ReadEntry(Nested(input, wire, M, "metadata_props"))); break;
                case 25: Expect(wire, WireType.LengthDelimited, M, "functions"); model.FunctionCount++; Skip(input); break;
                default: Skip(input); break;
            }
        });
        return model;
    }

    private static OperatorSetId ReadOpset(CodedInputStream input)
    {
        const string M = "OperatorSetIdProto";
        var (domain, version) = ("", 0L);
        ReadFields(input, (field, wire) =>
        {
            switch (field)
            {
                case 1: domain = String(input, wire, M, "domain"); break;
                case 2: version = Int64(input, wire, M, "version"); break;
                default: Skip(input); break;
            }
        });
        return new OperatorSetId(domain, version);
    }

    private static KeyValuePair<string, string> ReadEntry(CodedInputStream input)
    {
        const string M = "StringStringEntryProto";
        var (key, value) = ("", "");
        ReadFields(input, (field, wire) =>
        {
            switch (field)
            {
                case 1: key = String(input, wire, M, "key"); break;
                case 2: value = String(input, wire, M, "value"); break;
                default: Skip(input); break;
            }
        });
        return new(key, value);
    }

    private static GraphProto ReadGraph(CodedInputStream input, int depth)
    {
        const string M = "GraphProto";
        if (depth > MaxGraphDepth) throw new OnnxFormatException($"graphs are nested more than {MaxGraphDepth} deep.");
        var graph = new GraphProto();
        ReadFields(input, (field, wire) =>
        {
            switch (field)
            {
                case 1: graph.Nodes.Add(ReadNode(Nested(input, wire, M, "node"), depth)); break;
                case 2: graph.Name = String(input, wire, M, "name"); break;
                case 5: graph.Initializers.Add(ReadTensor(Nested(input, wire, M, "initializer"))); break;
                case 15: Expect(wire, WireType.LengthDelimited, M, "sparse_initializer"); graph.SparseInitializerCount++; Skip(input); break;
                case 10: graph.DocString = String(input, wire, M, "doc_string"); break;
                case 11: graph.Inputs.Add(ReadValueInfo(Nested(input, wire, M, "input"))); break;
                case 12: graph.Outputs.Add(ReadValueInfo(Nested(input, wire, M, "output"))); break;
                case 13: graph.ValueInfo.Add(ReadValueInfo(Nested(input, wire, M, "value_info"))); break;
                default: Skip(input); break;
            }
        });
        return graph;
    }

    private static NodeProto ReadNode(CodedInputStream input, int depth)
    {
        const string M = "NodeProto";
        var node = new NodeProto();
        ReadFields(input, (field, wire) =>
        {
            switch (field)
            {
                case 1: node.Inputs.Add(String(input, wire, M, "input")); break;
                case 2: node.Outputs.Add(String(input, wire, M, "output")); break;
                case 3: node.Name = String(input, wire, M, "name"); break;
                case 4: node.OpType = String(input, wire, M, "op_type"); break;
                case 7: node.Domain = String(input, wire, M, "domain"); break;
                case 5: node.Attributes.Add(ReadAttribute(Nested(input, wire, M, "attribute"), depth)); break;
                case 6: node.DocString = String(input, wire, M, "doc_string"); break;
                default: Skip(input); break;
            }
        });
        return node;
    }

    private static AttributeProto ReadAttribute(CodedInputStream input, int depth)
    {
        const string M = "AttributeProto";
        var a = new AttributeProto();
        ReadFields(input, (field, wire) =>
        {
            switch (field)
            {
                case 1: a.Name = String(input, wire, M, "name"); break;
                case 21: a.RefAttrName = String(input, wire, M, "ref_attr_name"); break;
                case 13: a.DocString = String(input, wire, M, "doc_string"); break;
                case 20: a.Type = (AttributeKind)Int64(input, wire, M, "type"); break;
                case 2: Expect(wire, WireType.Fixed32, M, "f"); a.F = input.ReadFloat(); break;
                case 3: a.I = Int64(input, wire, M, "i"); break;
                case 4: Expect(wire, WireType.LengthDelimited, M, "s"); a.S = input.ReadBytes().ToByteArray(); break;
                case 5: a.T = ReadTensor(Nested(input, wire, M, "t")); break;
                case 6: a.G = ReadGraph(Nested(input, wire, M, "g"), depth + 1); break;
                case 7: Floats(input, wire, M, "floats", a.Floats); break;
                case 8: Varints(input, wire, M, "ints", s => a.Ints.Add(s.ReadInt64())); break;
                case 9: Expect(wire, WireType.LengthDelimited, M, "strings"); a.Strings.Add(input.ReadBytes().ToByteArray()); break;
                case 10: a.Tensors.Add(ReadTensor(Nested(input, wire, M, "tensors"))); break;
                case 11: a.Graphs.Add(ReadGraph(Nested(input, wire, M, "graphs"), depth + 1)); break;
                default: Skip(input); break;
            }
        });
        return a;
    }

    private static TensorProto ReadTensor(CodedInputStream input)
    {
        const string M = "TensorProto";
        var t = new TensorProto();
        ReadFields(input, (field, wire) =>
        {
            switch (field)
            {
                case 1: Varints(input, wire, M, "dims", s => t.Dims.Add(s.ReadInt64())); break;
                case 2: t.DataType = (OnnxElementType)Int64(input, wire, M, "data_type"); break;
                case 3: Expect(wire, WireType.LengthDelimited, M, "segment"); t.HasSegment = true; Skip(input); break;
                case 4: Floats(input, wire, M, "float_data", t.FloatData); break;
                case 5: Varints(input, wire, M, "int32_data", s => t.Int32Data.Add(s.ReadInt32())); break;
                case 6: Expect(wire, WireType.LengthDelimited, M, "string_data"); t.StringData.Add(input.ReadBytes().ToByteArray()); break;
                case 7: Varints(input, wire, M, "int64_data", s => t.Int64Data.Add(s.ReadInt64())); break;
                case 8: t.Name = String(input, wire, M, "name"); break;
                case 12: t.DocString = String(input, wire, M, "doc_string"); break;
                case 9: Expect(wire, WireType.LengthDelimited, M, "raw_data"); t.RawData = input.ReadBytes().ToByteArray(); break;
                case 13: Expect(wire, WireType.LengthDelimited, M, "external_data"); t.ExternalDataCount++; Skip(input); break;
                case 14: t.DataLocation = (int)Int64(input, wire, M, "data_location"); break;
                case 10: Doubles(input, wire, M, "double_data", t.DoubleData); break;
                case 11: Varints(input, wire, M, "uint64_data", s => t.UInt64Data.Add(s.ReadUInt64())); break;
                default: Skip(input); break;
            }
        });
        return t;
    }

    private static ValueInfoProto ReadValueInfo(CodedInputStream input)
    {
        const string M = "ValueInfoProto";
        var v = new ValueInfoProto();
        ReadFields(input, (field, wire) =>
        {
            switch (field)
            {
                case 1: v.Name = String(input, wire, M, "name"); break;
                case 2: ReadType(Nested(input, wire, M, "type"), v); break;
                case 3: v.DocString = String(input, wire, M, "doc_string"); break;
                default: Skip(input); break;
            }
        });
        return v;
    }

    private static void ReadType(CodedInputStream input, ValueInfoProto v)
    {
        const string M = "TypeProto";
        ReadFields(input, (field, wire) =>
        {
            switch (field)
            {
                case 1: ReadTensorType(Nested(input, wire, M, "tensor_type"), v); break;
                case 4 or 5 or 7 or 8 or 9: v.IsNonTensor = true; Skip(input); break;
                default: Skip(input); break;
            }
        });
    }

    private static void ReadTensorType(CodedInputStream input, ValueInfoProto v)
    {
        const string M = "TypeProto.Tensor";
        v.ElementType = OnnxElementType.Undefined;
        ReadFields(input, (field, wire) =>
        {
            switch (field)
            {
                case 1: v.ElementType = (OnnxElementType)Int64(input, wire, M, "elem_type"); break;
                case 2:
                    var shape = Nested(input, wire, M, "shape");
                    v.Shape = [];
                    ReadFields(shape, (f, w) =>
                    {
                        if (f == 1) v.Shape.Add(ReadDimension(Nested(shape, w, "TensorShapeProto", "dim")));
                        else Skip(shape);
                    });
                    break;
                default: Skip(input); break;
            }
        });
    }

    private static DimensionProto ReadDimension(CodedInputStream input)
    {
        const string M = "TensorShapeProto.Dimension";
        long? value = null;
        string? param = null;
        ReadFields(input, (field, wire) =>
        {
            switch (field)
            {
                case 1: value = Int64(input, wire, M, "dim_value"); break;
                case 2: param = String(input, wire, M, "dim_param"); break;
                default: Skip(input); break;
            }
        });
        return new DimensionProto(value, param);
    }
}
