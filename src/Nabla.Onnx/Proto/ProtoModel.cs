namespace Nabla.Onnx.Proto;

// The subset of onnx.proto (IR version 8, opset 17 era) that Nabla reads and writes, as plain classes.
// Field numbers live in ProtoReader/ProtoWriter; names follow the proto messages.

/// <summary>ONNX tensor element types (TensorProto.DataType).</summary>
public enum OnnxElementType
{
    Undefined = 0,
    Float = 1,
    UInt8 = 2,
    Int8 = 3,
    UInt16 = 4,
    Int16 = 5,
    Int32 = 6,
    Int64 = 7,
    String = 8,
    Bool = 9,
    Float16 = 10,
    Double = 11,
    UInt32 = 12,
    UInt64 = 13,
    Complex64 = 14,
    Complex128 = 15,
    BFloat16 = 16,
}

/// <summary>AttributeProto.AttributeType.</summary>
internal enum AttributeKind
{
    Undefined = 0, Float = 1, Int = 2, String = 3, Tensor = 4, Graph = 5, Floats = 6, Ints = 7, Strings = 8,
    Tensors = 9, Graphs = 10, SparseTensor = 11, SparseTensors = 12, TypeProto = 13, TypeProtos = 14,
}

internal sealed class ModelProto
{
    public long IrVersion { get; set; }
    public List<OperatorSetId> OpsetImport { get; } = [];
    public string ProducerName { get; set; } = "";
    public string ProducerVersion { get; set; } = "";
    public string Domain { get; set; } = "";
    public long ModelVersion { get; set; }
    public string DocString { get; set; } = "";
    public GraphProto? Graph { get; set; }
    public List<KeyValuePair<string, string>> MetadataProps { get; } = [];
    public int FunctionCount { get; set; }
}

internal sealed record OperatorSetId(string Domain, long Version);

internal sealed class GraphProto
{
    public List<NodeProto> Nodes { get; } = [];
    public string Name { get; set; } = "";
    public List<TensorProto> Initializers { get; } = [];
    public int SparseInitializerCount { get; set; }
    public string DocString { get; set; } = "";
    public List<ValueInfoProto> Inputs { get; } = [];
    public List<ValueInfoProto> Outputs { get; } = [];
    public List<ValueInfoProto> ValueInfo { get; } = [];
}

internal sealed class NodeProto
{
    public List<string> Inputs { get; } = [];
    public List<string> Outputs { get; } = [];
    public string Name { get; set; } = "";
    public string OpType { get; set; } = "";
    public string Domain { get; set; } = "";
    public List<AttributeProto> Attributes { get; } = [];
    public string DocString { get; set; } = "";
}

internal sealed class AttributeProto
{
    public string Name { get; set; } = "";
    public string RefAttrName { get; set; } = "";
    public string DocString { get; set; } = "";
    public AttributeKind Type { get; set; }
    public float F { get; set; }
    public long I { get; set; }
    public byte[] S { get; set; } = [];
    public TensorProto? T { get; set; }
    public GraphProto? G { get; set; }
    public List<float> Floats { get; } = [];
    public List<long> Ints { get; } = [];
    public List<byte[]> Strings { get; } = [];
    public List<TensorProto> Tensors { get; } = [];
    public List<GraphProto> Graphs { get; } = [];
}

internal sealed class TensorProto
{
    public List<long> Dims { get; } = [];
    public OnnxElementType DataType { get; set; }
    public string Name { get; set; } = "";
    public string DocString { get; set; } = "";
    public byte[]? RawData { get; set; }
    public List<float> FloatData { get; } = [];
    public List<int> Int32Data { get; } = [];
    public List<long> Int64Data { get; } = [];
    public List<double> DoubleData { get; } = [];
    public List<ulong> UInt64Data { get; } = [];
    public List<byte[]> StringData { get; } = [];
    public bool HasSegment { get; set; }
    public int ExternalDataCount { get; set; }
    public int DataLocation { get; set; }
}

internal sealed class ValueInfoProto
{
    public string Name { get; set; } = "";
    public string DocString { get; set; } = "";

    /// <summary>The tensor type, or null when the value is not a tensor (sequence, map...) or its type is not given.</summary>
    public OnnxElementType? ElementType { get; set; }

    /// <summary>The shape (null when unknown): each dimension a value, a symbolic name, or neither.</summary>
    public List<DimensionProto>? Shape { get; set; }

    /// <summary>True when the value has a type other than a tensor (sequence, map, optional, sparse).</summary>
    public bool IsNonTensor { get; set; }
}

internal sealed record DimensionProto(long? Value, string? Param);
