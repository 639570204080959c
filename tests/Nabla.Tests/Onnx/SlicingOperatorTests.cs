using Nabla.Onnx;
using static Nabla.Tests.OnnxTests.OnnxTestSupport;
using static Nabla.Tests.OnnxTests.SingleNode;

namespace Nabla.Tests.OnnxTests;

/// <summary>Split (opset 11 attribute, 13 input, 18 num_outputs) and Trilu against index loops written here.</summary>
public class SlicingOperatorTests
{
    private static readonly Generator Rng = new(5);

    /// <summary>x[..., start : start + length, ...] along <paramref name="axis"/>, by walking every element.</summary>
    private static Tensor RefPart(Tensor x, int axis, int start, int length)
    {
        var shape = x.Shape.ToArray();
        var outer = shape[..axis].Aggregate(1, (p, d) => p * d);
        var inner = shape[(axis + 1)..].Aggregate(1, (p, d) => p * d);
        var data = x.ToArray();
        var result = new List<float>();
        for (var o = 0; o < outer; o++)
        for (var a = start; a < start + length; a++)
        for (var i = 0; i < inner; i++) result.Add(data[(o * shape[axis] + a) * inner + i]);
        shape[axis] = length;
        return Tensor.FromArray([.. result], shape);
    }

    public sealed record SplitCase(string Name, int Opset, int[] Shape, int Axis, long[]? Split, string SplitAs, int Outputs, long NumOutputs, int[] Sizes);

    private static readonly SplitCase[] SplitCases =
    [
        new("opset11_attribute", 11, [2, 4, 3], 1, [1, 3], "attr", 2, 0, [1, 3]),
        new("opset13_input_negative_axis", 13, [2, 3, 5], -1, [2, 0, 3], "input", 3, 0, [2, 0, 3]),
        new("opset13_equal_parts", 13, [6, 2], 0, null, "none", 3, 0, [2, 2, 2]),
        new("opset18_num_outputs_uneven", 18, [2, 7], 1, null, "none", 3, 3, [3, 3, 1]),   // parts of ceil(7 / 3) = 3, the last 1
        new("opset18_split_input", 18, [3, 2, 4], 2, [3, 1], "input", 2, 0, [3, 1]),
    ];

    public static TheoryData<string> SplitNames() => [.. SplitCases.Select(c => c.Name)];

    [Theory]
    [MemberData(nameof(SplitNames))]
    public void Split_variants(string name)
    {
        var c = SplitCases.Single(s => s.Name == name);
        var x = Tensor.Randn(c.Shape, Rng);
        var attributes = new List<Nabla.Onnx.Proto.AttributeProto> { Int("axis", c.Axis) };
        if (c.SplitAs == "attr") attributes.Add(Ints("split", c.Split!));
        if (c.NumOutputs > 0) attributes.Add(Int("num_outputs", c.NumOutputs));
        OnnxValue?[] inputs = c.SplitAs == "input" ? [F(x), I(c.Split!)] : [F(x)];
        var outputs = Run("Split", c.Opset, inputs, c.Outputs, [.. attributes]);
        var axis = c.Axis < 0 ? c.Axis + c.Shape.Length : c.Axis;
        var start = 0;
        for (var i = 0; i < c.Outputs; i++)
        {
            Close(RefPart(x, axis, start, c.Sizes[i]), outputs[i].ToTensor(), 0f, $"{name} part {i}");
            start += c.Sizes[i];
        }
    }

    [Fact]
    public void Split_of_integers_is_exact()
    {
        var parts = Run("Split", 13, [OnnxValue.Int([4, 5, 6, 16777217], [4])], 2);
        Assert.Equal([4L, 5L], parts[0].Ints!);
        Assert.Equal([6L, 16777217L], parts[1].Ints!);
    }

    [Theory]
    [InlineData(13, new long[] { 1, 2 }, "must give 3 non-negative sizes summing to axis 0's 6")]
    [InlineData(13, null, "does not split into 4 equal parts")]
    public void Split_errors_name_the_node(int opset, long[]? split, string message)
    {
        var x = Tensor.Zeros(6, 2);
        OnnxValue?[] inputs = split is null ? [F(x)] : [F(x), I(split)];
        var e = Assert.Throws<ArgumentException>(() => Run("Split", opset, inputs, split is null ? 4 : 3));
        Assert.Contains("Split node 'n'", e.Message, StringComparison.Ordinal);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    /// <summary>Element (i, j) of every [R, C] matrix kept when j - i ≥ k (upper) or ≤ k (lower), else 0.</summary>
    private static float[] RefTrilu(float[] x, int rows, int cols, long k, bool upper)
    {
        var y = (float[])x.Clone();
        for (var e = 0; e < y.Length; e++)
        {
            int i = e / cols % rows, j = e % cols;
            if (upper ? j - i < k : j - i > k) y[e] = 0f;
        }
        return y;
    }

    [Theory]
    [InlineData(true, null)]
    [InlineData(true, 1L)]
    [InlineData(true, -2L)]
    [InlineData(false, null)]
    [InlineData(false, -1L)]
    [InlineData(false, 3L)]
    public void Trilu_keeps_a_triangle(bool upper, long? k)
    {
        var x = Tensor.Randn([2, 3, 4], Rng);
        OnnxValue?[] inputs = k is { } kk ? [F(x), OnnxValue.Int([kk], [])] : [F(x)];
        var y = RunFloat("Trilu", 14, inputs, Int("upper", upper ? 1 : 0));
        Close(Tensor.FromArray(RefTrilu(x.ToArray(), 3, 4, k ?? 0, upper), 2, 3, 4), y, 0f, $"upper {upper}, k {k}");
    }

    [Fact]
    public void Trilu_of_a_causal_fill_gives_zeros_not_NaN()
    {
        // PyTorch's causal mask: triu(full(-∞), diagonal = 1): -∞ above the diagonal, 0 on and below it.
        var y = RunFloat("Trilu", 14, [F(Tensor.Full([3, 3], float.NegativeInfinity)), OnnxValue.Int([1], [])]);
        var inf = float.NegativeInfinity;
        Assert.Equal([0f, inf, inf, 0f, 0f, inf, 0f, 0f, 0f], y.ToArray());
    }

    [Fact]
    public void Trilu_of_integers_is_exact()
    {
        var y = Run("Trilu", 14, [OnnxValue.Int([1, 2, 3, 4, 5, 6], [2, 3])], 1, Int("upper", 0))[0];
        Assert.Equal([1L, 0L, 0L, 4L, 5L, 0L], y.Ints!);
    }
}
