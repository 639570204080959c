using System.Text;
using Nabla.Onnx.Proto;

namespace Nabla.Onnx.Import;

/// <summary>One node being evaluated: its inputs (null for an omitted optional input), attributes by name, the opset in force.</summary>
internal sealed class OnnxNode
{
    private readonly NodeProto _proto;
    private readonly OnnxValue?[] _inputs;

    public OnnxNode(NodeProto proto, OnnxValue?[] inputs, long opset, bool training)
    {
        (_proto, _inputs, Opset, Training) = (proto, inputs, opset, training);
    }

    public string OpType => _proto.OpType;
    public string Name => _proto.Name;
    public long Opset { get; }

    /// <summary>True when the graph runs as a module in training mode (Dropout drops).</summary>
    public bool Training { get; }

    public int InputCount => _inputs.Length;
    public int OutputCount => _proto.Outputs.Count;

    /// <summary>Whether output <paramref name="index"/> is wanted (present and not an empty name).</summary>
    public bool WantsOutput(int index) => index < _proto.Outputs.Count && _proto.Outputs[index].Length > 0;

    public string Describe() => $"{OpType} node '{(Name.Length > 0 ? Name : "(unnamed)")}'";

    public ArgumentException Error(string message) => new($"ONNX {Describe()}: {message}");

    // ---- inputs ---------------------------------------------------------------------------------

    public OnnxValue? Optional(int index) => index < _inputs.Length ? _inputs[index] : null;

    public OnnxValue Input(int index) => Optional(index) ?? throw Error($"input {index} is required.");

    public Tensor Float(int index) => Input(index).ToTensor();

    public Tensor? OptionalFloat(int index) => Optional(index)?.ToTensor();

    public long[] Ints(int index) => Input(index).ToInts($"ONNX {Describe()} input {index}");

    public long[]? OptionalInts(int index) => Optional(index)?.ToInts($"ONNX {Describe()} input {index}");

    public IEnumerable<OnnxValue> Present() => _inputs.Where(v => v is not null)!;

    // ---- attributes ------------------------------------------------------------------------------

    private AttributeProto? Attribute(string name, AttributeKind kind)
    {
        var a = _proto.Attributes.FirstOrDefault(x => x.Name == name);
        if (a is null) return null;
        if (a.RefAttrName.Length > 0) throw new NotSupportedException($"ONNX {Describe()}: attribute '{name}' refers to a function attribute, which is not supported.");
        if (a.Type != kind && a.Type != AttributeKind.Undefined) throw Error($"attribute '{name}' is {a.Type}; expected {kind}.");
        return a;
    }

    public bool Has(string name) => _proto.Attributes.Any(x => x.Name == name);

    public long Int(string name, long fallback) => Attribute(name, AttributeKind.Int)?.I ?? fallback;

    public float Float(string name, float fallback) => Attribute(name, AttributeKind.Float)?.F ?? fallback;

    public string String(string name, string fallback) =>
        Attribute(name, AttributeKind.String) is { } a ? Encoding.UTF8.GetString(a.S) : fallback;

    public long[]? Ints(string name) => Attribute(name, AttributeKind.Ints)?.Ints.ToArray();

    public float[]? Floats(string name) => Attribute(name, AttributeKind.Floats)?.Floats.ToArray();

    public string[]? Strings(string name) => Attribute(name, AttributeKind.Strings)?.Strings.Select(s => Encoding.UTF8.GetString(s)).ToArray();

    public TensorProto? TensorAttribute(string name) => Attribute(name, AttributeKind.Tensor)?.T;

    /// <summary>An axis attribute or input value checked against <paramref name="rank"/> and made non-negative.</summary>
    public int Axis(long axis, int rank)
    {
        if (axis < -rank || axis >= Math.Max(rank, 1)) throw Error($"axis {axis} is out of range for rank {rank}.");
        return (int)(axis < 0 ? axis + rank : axis);
    }

    public int[] Axes(IEnumerable<long> axes, int rank)
    {
        var result = axes.Select(a => Axis(a, rank)).ToArray();
        if (result.Distinct().Count() != result.Length) throw Error($"axes [{string.Join(", ", result)}] repeat an axis.");
        return result;
    }
}
