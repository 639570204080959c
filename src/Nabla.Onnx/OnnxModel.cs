using Nabla.Onnx.Import;
using Nabla.Onnx.Proto;

namespace Nabla.Onnx;

/// <summary>
/// An ONNX model loaded for inference (<see cref="Run(IReadOnlyDictionary{string, Tensor})"/>) or fine-tuning (<see cref="ToModule"/>). Loading checks the
/// whole file (protobuf structure, tensor sizes against their data, every name defined before use) and throws
/// <see cref="OnnxFormatException"/> for anything malformed; operators Nabla cannot evaluate are listed in
/// <see cref="UnsupportedOperators"/> and reported by name when the graph runs.
/// <code>
/// var model = OnnxModel.Load("model.onnx");
/// var outputs = model.Run(new Dictionary&lt;string, Tensor&gt; { ["input"] = x });
/// </code>
/// </summary>
public sealed class OnnxModel
{
    /// <summary>Largest file read (protobuf messages are limited to 2 GB anyway).</summary>
    private const long MaxFileBytes = int.MaxValue;

    private readonly GraphProto _graph;
    private readonly Dictionary<string, OnnxValue> _initializers;

    private OnnxModel(ModelProto model, GraphProto graph, Dictionary<string, OnnxValue> initializers, long opset)
    {
        (_graph, _initializers, Opset) = (graph, initializers, opset);
        (IrVersion, ProducerName, ProducerVersion) = (model.IrVersion, model.ProducerName, model.ProducerVersion);
        Inputs = [.. graph.Inputs.Where(v => !initializers.ContainsKey(v.Name)).Select(Info)];
        Outputs = [.. graph.Outputs.Select(Info)];
        OperatorCounts = graph.Nodes.GroupBy(n => n.Domain is "" or "ai.onnx" ? n.OpType : $"{n.Domain}.{n.OpType}")
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count());
        UnsupportedOperators = [.. graph.Nodes.Where(n => !Operators.IsSupported(n.Domain, n.OpType))
            .Select(n => n.Domain is "" or "ai.onnx" ? n.OpType : $"{n.Domain}.{n.OpType}").Distinct().Order(StringComparer.Ordinal)];
    }

    public long IrVersion { get; }
    public string ProducerName { get; }
    public string ProducerVersion { get; }

    /// <summary>The version of the default (ai.onnx) operator set the model was written for.</summary>
    public long Opset { get; }

    /// <summary>Graph inputs the caller provides (initializers listed as inputs are left out).</summary>
    public IReadOnlyList<OnnxValueInfo> Inputs { get; }
    public IReadOnlyList<OnnxValueInfo> Outputs { get; }

    /// <summary>How many nodes use each operator, most used first.</summary>
    public IReadOnlyDictionary<string, int> OperatorCounts { get; }

    /// <summary>Operators of this graph that Nabla cannot evaluate (empty when the model runs).</summary>
    public IReadOnlyList<string> UnsupportedOperators { get; }

    /// <summary>Every ONNX operator Nabla evaluates.</summary>
    public static IReadOnlyList<string> SupportedOperators { get; } = [.. Operators.Supported.Order(StringComparer.Ordinal)];

    internal GraphProto Graph => _graph;
    internal IReadOnlyDictionary<string, OnnxValue> InitializerValues => _initializers;

    /// <summary>The float initializers (weights) by their ONNX names.</summary>
    public IReadOnlyDictionary<string, Tensor> Initializers =>
        _initializers.Where(kv => kv.Value.IsFloat).ToDictionary(kv => kv.Key, kv => kv.Value.Floats!);

    // ---- loading ------------------------------------------------------------------------------------

    /// <summary>Reads and checks an .onnx file.</summary>
    public static OnnxModel Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var length = new FileInfo(path).Length;
        if (length > MaxFileBytes) throw new OnnxFormatException($"{path}: {length} bytes is larger than the 2 GB a protobuf message can hold.");
        return Load(File.ReadAllBytes(path), path);
    }

    /// <summary>Parses and checks a serialized ModelProto; <paramref name="source"/> names it in error messages.</summary>
    public static OnnxModel Load(byte[] data, string source = "ONNX model")
    {
        ArgumentNullException.ThrowIfNull(data);
        var model = ProtoReader.ReadModel(data, source);
        var graph = model.Graph ?? throw new OnnxFormatException($"{source}: the model has no graph.");
        var opset = model.OpsetImport.Where(o => o.Domain is "" or "ai.onnx").Select(o => o.Version).DefaultIfEmpty(-1).Max();
        if (opset < 1 || opset > 1000) throw new OnnxFormatException($"{source}: the model imports no valid version of the default operator set (got {opset}).");
        var initializers = new Dictionary<string, OnnxValue>(StringComparer.Ordinal);
        foreach (var t in graph.Initializers)
        {
            if (t.Name.Length == 0) throw new OnnxFormatException($"{source}: an initializer has no name.");
            if (!initializers.TryAdd(t.Name, OnnxTensors.ToValue(t, source))) throw new OnnxFormatException($"{source}: initializer '{t.Name}' is defined twice.");
        }
        if (graph.SparseInitializerCount > 0) throw new OnnxFormatException($"{source}: sparse initializers are not supported.");
        CheckNames(graph, initializers, source);
        return new OnnxModel(model, graph, initializers, opset);
    }

    /// <summary>Every node input is a graph input, an initializer or an earlier node's output (ONNX requires topological order).</summary>
    private static void CheckNames(GraphProto graph, Dictionary<string, OnnxValue> initializers, string source)
    {
        var defined = new HashSet<string>(initializers.Keys, StringComparer.Ordinal);
        foreach (var input in graph.Inputs)
        {
            if (input.Name.Length == 0) throw new OnnxFormatException($"{source}: a graph input has no name.");
            if (input.IsNonTensor) throw new OnnxFormatException($"{source}: graph input '{input.Name}' is not a tensor; only tensor inputs are supported.");
            defined.Add(input.Name);
        }
        for (var i = 0; i < graph.Nodes.Count; i++)
        {
            var node = graph.Nodes[i];
            var label = $"node {i} ({node.OpType}{(node.Name.Length > 0 ? $" '{node.Name}'" : "")})";
            foreach (var input in node.Inputs)
            {
                if (input.Length > 0 && !defined.Contains(input)) throw new OnnxFormatException($"{source}: {label} uses '{input}', which no input, initializer or earlier node defines.");
            }
            foreach (var output in node.Outputs)
            {
                if (output.Length > 0 && !defined.Add(output)) throw new OnnxFormatException($"{source}: {label} defines '{output}', which is already defined.");
            }
        }
        if (graph.Outputs.Count == 0) throw new OnnxFormatException($"{source}: the graph has no outputs.");
        foreach (var output in graph.Outputs)
        {
            if (!defined.Contains(output.Name)) throw new OnnxFormatException($"{source}: graph output '{output.Name}' is never computed.");
        }
    }

    private static OnnxValueInfo Info(ValueInfoProto v) =>
        new(v.Name, v.ElementType ?? OnnxElementType.Undefined, v.Shape?.Select(d => new OnnxDimension(d.Value, d.Param)).ToArray());

    // ---- running --------------------------------------------------------------------------------------

    /// <summary>Evaluates the graph on named inputs (integer inputs such as indices are given as whole-number floats); returns every graph output by name.</summary>
    public IReadOnlyDictionary<string, Tensor> Run(IReadOnlyDictionary<string, Tensor> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var values = RunValues(inputs.ToDictionary(kv => kv.Key, kv => ToInput(kv.Key, kv.Value)), null, training: false);
        return values.ToDictionary(kv => kv.Key, kv => kv.Value.ToTensor());
    }

    /// <summary>Runs a model with one input and returns its first output.</summary>
    public Tensor Run(Tensor input)
    {
        if (Inputs.Count != 1) throw new ArgumentException($"OnnxModel.Run: the model has {Inputs.Count} inputs ({string.Join(", ", Inputs.Select(i => i.Name))}); pass them by name.");
        return Run(new Dictionary<string, Tensor> { [Inputs[0].Name] = input })[Outputs[0].Name];
    }

    /// <summary>A float tensor given for an integer input becomes exact integers.</summary>
    internal OnnxValue ToInput(string name, Tensor tensor)
    {
        var info = Inputs.FirstOrDefault(i => i.Name == name);
        if (info is not null && !OnnxValue.IsFloatType(info.ElementType) && info.ElementType != OnnxElementType.Undefined)
        {
            return OnnxValue.Float(tensor).Cast(info.ElementType);
        }
        return OnnxValue.Float(tensor);
    }

    /// <summary>Evaluates the graph with values (types kept); <paramref name="weights"/> replaces initializers by name (a module's parameters).</summary>
    internal Dictionary<string, OnnxValue> RunValues(IReadOnlyDictionary<string, OnnxValue> inputs, IReadOnlyDictionary<string, OnnxValue>? weights, bool training)
    {
        if (UnsupportedOperators.Count > 0)
        {
            var node = _graph.Nodes.First(n => !Operators.IsSupported(n.Domain, n.OpType));
            throw new NotSupportedException($"ONNX operator '{(node.Domain is "" or "ai.onnx" ? node.OpType : $"{node.Domain}.{node.OpType}")}' " +
                $"(node '{(node.Name.Length > 0 ? node.Name : "(unnamed)")}') is not supported; unsupported in this model: {string.Join(", ", UnsupportedOperators)}.");
        }
        var env = new Dictionary<string, OnnxValue>(_initializers, StringComparer.Ordinal);
        if (weights is not null)
        {
            foreach (var (name, value) in weights) env[name] = value;
        }
        foreach (var info in Inputs)
        {
            if (!inputs.TryGetValue(info.Name, out var value))
            {
                throw new ArgumentException($"OnnxModel: input '{info.Name}' is missing; the model takes {string.Join(", ", Inputs)}.");
            }
            CheckInput(info, value);
            env[info.Name] = value;
        }
        foreach (var name in inputs.Keys)
        {
            if (!env.ContainsKey(name)) throw new ArgumentException($"OnnxModel: '{name}' is not an input of the model; inputs: {string.Join(", ", Inputs.Select(i => i.Name))}.");
            env[name] = inputs[name]; // an initializer the graph also lists as an input may be overridden
        }
        foreach (var node in _graph.Nodes)
        {
            var args = node.Inputs.Select(i => i.Length == 0 ? null : env[i]).ToArray();
            var context = new OnnxNode(node, args, Opset, training);
            OnnxValue[] results;
            try
            {
                results = Operators.Run(context);
            }
            catch (ArgumentException e) when (!e.Message.StartsWith("ONNX ", StringComparison.Ordinal))
            {
                throw new ArgumentException($"ONNX {context.Describe()}: {e.Message}", e);
            }
            for (var i = 0; i < node.Outputs.Count; i++)
            {
                if (node.Outputs[i].Length == 0) continue;
                if (i >= results.Length) throw new NotSupportedException($"ONNX {context.Describe()}: output {i} ('{node.Outputs[i]}') is not produced by Nabla's {node.OpType}.");
                env[node.Outputs[i]] = results[i];
            }
        }
        return _graph.Outputs.ToDictionary(o => o.Name, o => env[o.Name], StringComparer.Ordinal);
    }

    private static void CheckInput(OnnxValueInfo info, OnnxValue value)
    {
        if (info.Shape is not { } shape) return;
        var ok = shape.Count == value.Rank && shape.Select((d, i) => d.Value is not { } v || v == value.Shape[i]).All(x => x);
        if (!ok) throw new ArgumentException($"OnnxModel: input '{info.Name}' must be [{string.Join(", ", shape)}]; got [{string.Join(", ", value.Shape)}].");
    }

    /// <summary>The graph as a trainable module: float initializers become parameters (running statistics become buffers).</summary>
    public OnnxModule ToModule() => new(this);
}
