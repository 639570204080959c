using System.Text;
using Nabla.Onnx;
using Nabla.Onnx.Proto;

namespace Nabla.Tests.OnnxTests;

/// <summary>Builds and runs a one-node ONNX model: float inputs are graph inputs, integer inputs are initializers.</summary>
internal static class SingleNode
{
    public static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeKind.Int, I = value };

    public static AttributeProto Float(string name, float value) => new() { Name = name, Type = AttributeKind.Float, F = value };

    public static AttributeProto String(string name, string value) => new() { Name = name, Type = AttributeKind.String, S = Encoding.UTF8.GetBytes(value) };

    public static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeKind.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    public static OnnxValue F(Tensor t) => OnnxValue.Float(t);

    public static OnnxValue I(params long[] values) => OnnxValue.Int(values);

    public static byte[] Model(string op, long opset, OnnxValue?[] inputs, int outputs, AttributeProto[] attributes, string nodeName = "n")
    {
        var graph = new GraphProto { Name = "single" };
        var node = new NodeProto { OpType = op, Name = nodeName };
        for (var i = 0; i < inputs.Length; i++)
        {
            if (inputs[i] is not { } value)
            {
                node.Inputs.Add("");
                continue;
            }
            var name = $"x{i}";
            node.Inputs.Add(name);
            if (value.IsFloat) graph.Inputs.Add(new ValueInfoProto { Name = name, ElementType = OnnxElementType.Float });
            else graph.Initializers.Add(OnnxTensors.ToProto(value, name));
        }
        for (var i = 0; i < outputs; i++)
        {
            node.Outputs.Add($"y{i}");
            graph.Outputs.Add(new ValueInfoProto { Name = $"y{i}", ElementType = OnnxElementType.Float });
        }
        node.Attributes.AddRange(attributes);
        graph.Nodes.Add(node);
        var model = new ModelProto { IrVersion = 8, Graph = graph };
        model.OpsetImport.Add(new OperatorSetId("", opset));
        return ProtoWriter.Write(model);
    }

    /// <summary>Runs the node and returns its outputs.</summary>
    public static OnnxValue[] Run(string op, long opset, OnnxValue?[] inputs, int outputs = 1, params AttributeProto[] attributes)
    {
        var model = OnnxModel.Load(Model(op, opset, inputs, outputs, attributes));
        var feeds = inputs.Select((v, i) => (v, i)).Where(p => p.v is { IsFloat: true }).ToDictionary(p => $"x{p.i}", p => p.v!);
        var results = model.RunValues(feeds, null, training: false);
        return [.. Enumerable.Range(0, outputs).Select(i => results[$"y{i}"])];
    }

    public static Tensor RunFloat(string op, long opset, OnnxValue?[] inputs, params AttributeProto[] attributes) =>
        Run(op, opset, inputs, 1, attributes)[0].ToTensor();
}
