using System.Text;
using Nabla.Onnx.Proto;

namespace Nabla.Onnx.Export;

/// <summary>Collects the nodes, initializers and unique value names of a graph being exported.</summary>
internal sealed class GraphBuilder
{
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private int _counter;

    public GraphProto Graph { get; } = new() { Name = "nabla" };

    /// <summary>A fresh value name based on <paramref name="hint"/>.</summary>
    public string Name(string hint)
    {
        var name = hint;
        while (!_names.Add(name)) name = $"{hint}_{++_counter}";
        return name;
    }

    /// <summary>Adds a node and returns the names of its outputs.</summary>
    public string[] Node(string op, string[] inputs, int outputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = Name($"{op}_{Graph.Nodes.Count}") };
        node.Inputs.AddRange(inputs);
        for (var i = 0; i < outputs; i++) node.Outputs.Add(Name($"{node.Name}_out{i}"));
        node.Attributes.AddRange(attributes);
        Graph.Nodes.Add(node);
        return [.. node.Outputs];
    }

    public string Node(string op, string[] inputs, params AttributeProto[] attributes) => Node(op, inputs, 1, attributes)[0];

    /// <summary>A float initializer (a weight) named <paramref name="name"/> (made unique).</summary>
    public string Initializer(string name, Tensor value)
    {
        var proto = OnnxTensors.ToProto(OnnxValue.Float(value.Detach().Contiguous()), Name(name));
        Graph.Initializers.Add(proto);
        return proto.Name;
    }

    /// <summary>A constant node holding int64 values (shapes, axes, indices); rank 0 when <paramref name="scalar"/>.</summary>
    public string Ints(long[] values, bool scalar = false) =>
        Node("Constant", [], Tensor("value", OnnxTensors.ToProto(OnnxValue.Int(values, scalar ? [] : [values.Length]), "")));

    /// <summary>A constant node holding float values (not an initializer, so an importer does not train it).</summary>
    public string Floats(Tensor value) => Node("Constant", [], Tensor("value", OnnxTensors.ToProto(OnnxValue.Float(value), "")));

    /// <summary>A constant node holding one float (rank 0).</summary>
    public string Scalar(float value) => Node("Constant", [], Tensor("value", OnnxTensors.ToProto(OnnxValue.Float(Nabla.Tensor.Scalar(value)), "")));

    public static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeKind.Int, I = value };

    public static AttributeProto Float(string name, float value) => new() { Name = name, Type = AttributeKind.Float, F = value };

    public static AttributeProto String(string name, string value) => new() { Name = name, Type = AttributeKind.String, S = Encoding.UTF8.GetBytes(value) };

    public static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeKind.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    public static AttributeProto Strings(string name, params string[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeKind.Strings };
        a.Strings.AddRange(values.Select(Encoding.UTF8.GetBytes));
        return a;
    }

    public static AttributeProto Tensor(string name, TensorProto value) => new() { Name = name, Type = AttributeKind.Tensor, T = value };
}
