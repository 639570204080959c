namespace Nabla.Onnx.Import;

/// <summary>
/// The ONNX operators Nabla evaluates (default domain, opsets 11 to 22; earlier attribute forms where noted),
/// each built from Nabla's differentiable tensor ops so gradients flow through an imported graph.
/// </summary>
internal static partial class Operators
{
    private static readonly Dictionary<string, Func<OnnxNode, OnnxValue[]>> Table = Build();

    public static IReadOnlyCollection<string> Supported => Table.Keys;

    public static bool IsSupported(string domain, string opType) => domain is "" or "ai.onnx" && Table.ContainsKey(opType);

    public static OnnxValue[] Run(OnnxNode node) =>
        Table.TryGetValue(node.OpType, out var op) ? op(node) : throw new NotSupportedException($"ONNX operator '{node.OpType}' ({node.Describe()}) is not supported.");

    private static Dictionary<string, Func<OnnxNode, OnnxValue[]>> Build()
    {
        var table = new Dictionary<string, Func<OnnxNode, OnnxValue[]>>(StringComparer.Ordinal);
        AddElementwise(table);
        AddActivations(table);
        AddShapeOps(table);
        AddReductions(table);
        AddNeural(table);
        AddRecurrent(table);
        AddSlicing(table);
        return table;
    }

    private static OnnxValue[] One(OnnxValue value) => [value];

    private static OnnxValue[] One(Tensor value) => [OnnxValue.Float(value)];
}
