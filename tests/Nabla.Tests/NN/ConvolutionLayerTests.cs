using Nabla.NN;
using Nabla.Tests.Support;

namespace Nabla.Tests.NN;

public class ConvolutionLayerTests
{
    /// <summary>
    /// The gradient of a convolution is built from differentiable ops (transposed convolution and the
    /// weight-gradient op), so a gradient penalty ‖∂L/∂x‖² can itself be differentiated.
    /// </summary>
    [Theory]
    [InlineData(1, 0, 1)]
    [InlineData(2, 1, 1)]
    [InlineData(1, 1, 2)]
    public void Second_derivatives_through_convolution_match_finite_differences(int stride, int padding, int groups)
    {
        // P(x, W) = ‖∂/∂x Σ tanh(conv(x, W))‖²: its gradient needs the gradient of a gradient.
        float Penalty(Tensor x, Tensor w, bool createGraph, out Tensor?[] grads)
        {
            var xs = x.Detach().RequireGrad();
            var ws = w.Detach().RequireGrad();
            var y = Functional.Conv2d(xs, ws, null, stride, padding, groups: groups).Tanh().Sum();
            var dx = Autograd.Grad([y], [xs], createGraph: createGraph)[0]!;
            var p = (dx * dx).Sum();
            grads = createGraph ? Autograd.Grad([p], [xs, ws]) : [];
            return p.Item();
        }

        var x0 = Tensor.Randn([1, 2, 5, 5], new Generator(1));
        var w0 = Tensor.Randn([2, 2 / groups, 3, 3], new Generator(2)) * 0.5f;
        Penalty(x0, w0, createGraph: true, out var analytic);
        var g = new Generator(3);
        for (var input = 0; input < 2; input++)
        {
            var values = (input == 0 ? x0 : w0).ToArray();
            var shape = (input == 0 ? x0 : w0).Shape.ToArray();
            var exact = analytic[input]!.ToArray();
            for (var probe = 0; probe < 8; probe++)
            {
                var i = (int)g.NextInt64(0, values.Length);
                const float h = 1e-2f;
                double At(float delta)
                {
                    var moved = (float[])values.Clone();
                    moved[i] += delta;
                    var t = Tensor.FromArray(moved, shape);
                    return input == 0 ? Penalty(t, w0, false, out _) : Penalty(x0, t, false, out _);
                }
                var numeric = (At(h) - At(-h)) / (2 * h);
                Assert.True(Math.Abs(numeric - exact[i]) <= 3e-2 * (1 + Math.Abs(numeric)),
                    $"input {input} element {i}: {exact[i]} by double backward, {numeric} by central differences");
            }
        }
    }

    [Theory]
    [InlineData("max")]
    [InlineData("avg")]
    public void Second_derivatives_through_pooling_match_finite_differences(string kind)
    {
        // P(x) = ‖∂/∂x Σ w ⊙ tanh(pool(x)²)‖²: differentiating it runs the pooling's backward op backwards.
        var weights = Tensor.Rand([1, 2, 2, 2], new Generator(4));
        Tensor Pool(Tensor t) => kind == "max" ? Functional.MaxPool2d(t, 2) : Functional.AvgPool2d(t, 2);
        float Penalty(Tensor x, bool createGraph, out Tensor? grad)
        {
            var xs = x.Detach().RequireGrad();
            var y = (Pool(xs).Pow(2f).Tanh() * weights).Sum();
            var dx = Autograd.Grad([y], [xs], createGraph: createGraph)[0]!;
            var p = (dx * dx).Sum();
            grad = createGraph ? Autograd.Grad([p], [xs])[0] : null;
            return p.Item();
        }

        // Values 0.1 apart: no finite-difference step changes which element of a window is the maximum.
        var values = Enumerable.Range(0, 32).Select(i => (i * 7 % 32) * 0.1f - 1.5f).ToArray();
        var x0 = Tensor.FromArray(values, 1, 2, 4, 4);
        Penalty(x0, true, out var analytic);
        var exact = analytic!.ToArray();
        for (var i = 0; i < values.Length; i++)
        {
            const float h = 1e-2f;
            var plus = (float[])values.Clone();
            var minus = (float[])values.Clone();
            plus[i] += h;
            minus[i] -= h;
            var numeric = (Penalty(Tensor.FromArray(plus, 1, 2, 4, 4), false, out _) - Penalty(Tensor.FromArray(minus, 1, 2, 4, 4), false, out _)) / (2 * h);
            Assert.True(Math.Abs(numeric - exact[i]) <= 3e-2 * (1 + Math.Abs(numeric)), $"{kind} element {i}: {exact[i]} by double backward, {numeric} by central differences");
        }
    }

    [Fact]
    public void Conv_transpose_is_the_adjoint_of_convolution()
    {
        // ⟨conv(x, W), y⟩ = ⟨x, convᵀ(y, W)⟩ for every x and y: the defining property of the transpose.
        var x = Tensor.Randn([2, 3, 7, 6], new Generator(3));
        var w = Tensor.Randn([4, 3, 3, 2], new Generator(4));
        var conv = Functional.Conv2d(x, w, stride: 2, padding: 1);
        var y = Tensor.Randn(conv.Shape.ToArray(), new Generator(5));
        var back = Functional.ConvTranspose2d(y, w, stride: 2, padding: 1);
        Assert.Equal(x.Shape, back.Shape);
        Assert.Equal((conv * y).Sum().Item(), (x * back).Sum().Item(), 2);
    }

    [Fact]
    public void Bad_shapes_are_reported_with_what_was_expected()
    {
        var x = Tensor.Zeros(1, 3, 8, 8);
        Assert.Contains("weight [2, 4, 3, 3] needs 3 (= in/groups) on axis 1",
            Assert.Throws<ArgumentException>(() => Functional.Conv2d(x, Tensor.Zeros(2, 4, 3, 3))).Message);
        Assert.Contains("input must be [N, C, H, W]; got [3, 8, 8]",
            Assert.Throws<ArgumentException>(() => new Conv2d(3, 2, 3).Forward(Tensor.Zeros(3, 8, 8))).Message);
        Assert.Contains("smaller than the (dilated) kernel",
            Assert.Throws<ArgumentException>(() => new Conv2d(3, 2, 9).Forward(x)).Message);
        Assert.Contains("padding 'same' needs stride 1",
            Assert.Throws<ArgumentException>(() => Functional.Conv2d(x, Tensor.Zeros(2, 3, 3, 3), stride: 2, padding: Padding2.Same)).Message);
        Assert.Contains("groups = 2 must divide",
            Assert.Throws<ArgumentException>(() => new Conv2d(3, 4, 3, groups: 2)).Message);
        Assert.Contains("bias must be [2]",
            Assert.Throws<ArgumentException>(() => Functional.Conv2d(x, Tensor.Zeros(2, 3, 3, 3), Tensor.Zeros(3))).Message);
        Assert.Contains("padding 2 must be between 0 and half the kernel size 3",
            Assert.Throws<ArgumentException>(() => Functional.MaxPool2d(x, 3, padding: 2)).Message);
        Assert.Contains("output padding 2 must be smaller than the stride 2 or the dilation 1",
            Assert.Throws<ArgumentException>(() => Functional.ConvTranspose2d(x, Tensor.Zeros(3, 2, 3, 3), stride: 2, outputPadding: 2)).Message);
    }

    [Fact]
    public void Embedding_looks_up_rows_and_keeps_the_padding_row_at_zero()
    {
        var emb = new Embedding(5, 3, paddingIndex: 0, generator: new Generator(6));
        Assert.Equal([0f, 0f, 0f], emb.Weight.Select(0, 0).ToArray());
        var idx = Tensor.From(new float[,] { { 2, 0 }, { 4, 2 } });
        var y = emb.Forward(idx);
        Assert.Equal(emb.Weight.Select(0, 4).ToArray(), y.Select(0, 1).Select(0, 0).ToArray());
        y.Sum().Backward();
        var grad = emb.Weight.Grad!;
        Assert.Equal([2f, 2f, 2f], grad.Select(0, 2).ToArray()); // row 2 used twice
        Assert.Equal([0f, 0f, 0f], grad.Select(0, 0).ToArray()); // padding row learns nothing
        Assert.Equal([0f, 0f, 0f], grad.Select(0, 3).ToArray());
        Assert.Contains("index 5 is invalid; indices must be whole numbers in [0, 5)",
            Assert.Throws<ArgumentException>(() => emb.Forward(Tensor.FromArray(5f))).Message);
    }
}
