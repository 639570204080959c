using System.Text;
using Nabla.NN;
using Nabla.Onnx.Proto;

namespace Nabla.Onnx;

/// <summary>
/// An imported ONNX graph as a <see cref="Module"/>: every float initializer is a parameter registered under its
/// sanitized name (characters other than letters, digits and '_' become '_': "0.weight" -> "0_weight"), except
/// those used only as BatchNormalization running statistics, which are buffers. Gradients flow through every
/// supported operator, so an imported network fine-tunes like a native one. In training mode Dropout nodes drop;
/// BatchNormalization always uses its running statistics.
/// </summary>
public sealed class OnnxModule : Module
{
    private readonly OnnxModel _model;
    private readonly List<(string Onnx, Tensor Value)> _weights = [];
    private readonly Dictionary<string, string> _names = new(StringComparer.Ordinal);

    internal OnnxModule(OnnxModel model)
    {
        _model = model;
        var statistics = RunningStatistics(model.Graph);
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, value) in model.InitializerValues)
        {
            if (!value.IsFloat) continue; // integer initializers (shapes, indices) stay constants
            var safe = Unique(Sanitize(name), used);
            var tensor = value.Floats!.Clone();
            var registered = statistics.Contains(name) ? AddBuffer(safe, tensor) : AddParameter(safe, tensor);
            _weights.Add((name, registered));
            _names[safe] = name;
        }
    }

    /// <summary>The ONNX model this module runs.</summary>
    public OnnxModel Model => _model;

    /// <summary>The ONNX initializer name behind a parameter or buffer name of this module.</summary>
    public string InitializerName(string parameterName) =>
        _names.TryGetValue(parameterName, out var name) ? name : throw new ArgumentException($"OnnxModule: no parameter or buffer is named '{parameterName}'.");

    /// <summary>Runs the graph on its single input and returns its first output.</summary>
    protected override Tensor Compute(Tensor input)
    {
        if (_model.Inputs.Count != 1)
        {
            throw new ArgumentException($"OnnxModule: the model has {_model.Inputs.Count} inputs ({string.Join(", ", _model.Inputs.Select(i => i.Name))}); use Forward with a dictionary.");
        }
        return Forward(new Dictionary<string, Tensor> { [_model.Inputs[0].Name] = input })[_model.Outputs[0].Name];
    }

    /// <summary>Runs the graph on named inputs and returns every output by name.</summary>
    public IReadOnlyDictionary<string, Tensor> Forward(IReadOnlyDictionary<string, Tensor> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var weights = _weights.ToDictionary(w => w.Onnx, w => OnnxValue.Float(w.Value), StringComparer.Ordinal);
        var values = _model.RunValues(inputs.ToDictionary(kv => kv.Key, kv => _model.ToInput(kv.Key, kv.Value)), weights, IsTraining);
        return values.ToDictionary(kv => kv.Key, kv => kv.Value.ToTensor());
    }

    public override string Describe() => $"OnnxModule({_model.OperatorCounts.Values.Sum()} nodes, {_weights.Count} weights)";

    private static HashSet<string> RunningStatistics(GraphProto graph)
    {
        var statistics = new HashSet<string>(StringComparer.Ordinal);
        var other = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in graph.Nodes)
        {
            for (var i = 0; i < node.Inputs.Count; i++)
            {
                (node.OpType == "BatchNormalization" && i is 3 or 4 ? statistics : other).Add(node.Inputs[i]);
            }
        }
        statistics.ExceptWith(other);
        return statistics;
    }

    internal static string Sanitize(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (var c in name) builder.Append(char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_');
        return builder.Length == 0 ? "weight" : builder.ToString();
    }

    private static string Unique(string name, HashSet<string> used)
    {
        var candidate = name;
        for (var i = 1; !used.Add(candidate); i++) candidate = $"{name}_{i}";
        return candidate;
    }
}
