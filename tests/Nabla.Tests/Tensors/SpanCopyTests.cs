namespace Nabla.Tests.Tensors;

/// <summary>CopyTo(Span) and CopyFrom(ReadOnlySpan): row-major order on contiguous tensors and on views, and clear length errors.</summary>
public class SpanCopyTests
{
    private static Tensor Grid() => Tensor.Arange(12).Reshape(3, 4);

    public static TheoryData<string, float[]> Views() => new()
    {
        { "whole", Enumerable.Range(0, 12).Select(i => (float)i).ToArray() },
        { "transposed", [0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11] },
        { "columns 1..2", [1, 2, 5, 6, 9, 10] },
        { "every other row", [0, 1, 2, 3, 8, 9, 10, 11] },
    };

    private static Tensor View(Tensor grid, string name) => name switch
    {
        "whole" => grid,
        "transposed" => grid.T,
        "columns 1..2" => grid.Narrow(1, 1, 2),
        _ => grid.Slice(0, 0, null, 2),
    };

    [Theory]
    [MemberData(nameof(Views))]
    public void CopyTo_writes_the_elements_in_row_major_order(string view, float[] expected)
    {
        var target = new float[expected.Length + 2];
        View(Grid(), view).CopyTo(target.AsSpan(1, expected.Length));
        Assert.Equal([0f, .. expected, 0f], target);
    }

    [Theory]
    [MemberData(nameof(Views))]
    public void CopyFrom_overwrites_exactly_the_viewed_elements(string view, float[] positions)
    {
        var grid = Grid();
        var values = positions.Select((_, i) => 100f + i).ToArray();
        View(grid, view).CopyFrom(values);
        var expected = Enumerable.Range(0, 12).Select(i => (float)i).ToArray();
        for (var i = 0; i < positions.Length; i++) expected[(int)positions[i]] = values[i];
        Assert.Equal(expected, grid.ToArray());
    }

    [Fact]
    public void Wrong_lengths_name_both_sizes()
    {
        var e1 = Assert.Throws<ArgumentException>(() => Grid().CopyTo(new float[11]));
        Assert.Contains("11", e1.Message, StringComparison.Ordinal);
        Assert.Contains("[3, 4]", e1.Message, StringComparison.Ordinal);
        var e2 = Assert.Throws<ArgumentException>(() => Grid().CopyFrom(new float[13]));
        Assert.Contains("13 values", e2.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CopyFrom_follows_the_in_place_rules()
    {
        var leaf = Tensor.Zeros(3).RequireGrad();
        Assert.Throws<InvalidOperationException>(() => leaf.CopyFrom([1f, 2f, 3f]));
        using (Autograd.NoGrad()) leaf.CopyFrom([1f, 2f, 3f]);
        Assert.Equal([1f, 2f, 3f], leaf.ToArray());
    }
}
