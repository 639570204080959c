using Nabla.NN;

namespace Nabla.Tests.NN.Recurrent;

/// <summary>
/// The fused sequence kernel of <see cref="Lstm"/> against the same layer composed of per-step tensor
/// operations (whose gradients the reference tests check against finite differences): outputs, final
/// states and the gradients of the input, the initial states and every parameter.
/// </summary>
public class FusedLstmTests
{
    public static TheoryData<int, int, int, bool, bool, bool, bool, bool> Configurations() => new()
    {
        // batch, hidden, layers, bidirectional, batchFirst, initial states, bias, unbatched
        { 4, 8, 1, false, false, false, true, false },
        { 4, 12, 2, false, true, true, true, false },     // hidden not a multiple of 8: the scalar tail of the cell kernel
        { 4, 5, 2, true, false, true, false, false },
        { 4, 16, 1, true, true, false, true, false },
        { 1, 7, 1, false, false, true, true, true },
        { 21, 16, 2, true, false, true, true, false },    // enough rows to split the batch between threads
    };

    [Theory]
    [MemberData(nameof(Configurations))]
    public void Fused_and_composed_layers_agree_on_outputs_states_and_every_gradient(
        int batch, int hidden, int layers, bool bidirectional, bool batchFirst, bool initial, bool bias, bool unbatched)
    {
        const int input = 3, steps = 6;
        var directions = bidirectional ? 2 : 1;
        var rng = new Generator(31);
        int[] inputShape = unbatched ? [steps, input] : batchFirst ? [batch, steps, input] : [steps, batch, input];
        int[] stateShape = unbatched ? [layers * directions, hidden] : [layers * directions, batch, hidden];
        var x = Tensor.Randn(inputShape, rng);
        var h0 = Tensor.Randn(stateShape, rng);
        var c0 = Tensor.Randn(stateShape, rng);
        var weights = Tensor.Randn(unbatched ? [steps, directions * hidden] : batchFirst ? [batch, steps, directions * hidden] : [steps, batch, directions * hidden], rng);

        (float[] Output, float[] H, float[] C, Dictionary<string, float[]> Grads) Run(bool fused)
        {
            var lstm = new Lstm(input, hidden, layers, bias, batchFirst, bidirectional: bidirectional, generator: new Generator(5)) { Fused = fused };
            var xs = x.Clone().RequireGrad();
            var hs = h0.Clone().RequireGrad();
            var cs = c0.Clone().RequireGrad();
            var (output, (h, c)) = lstm.Forward(xs, initial ? (hs, cs) : null);
            // A loss that reaches every output and both final states.
            var loss = (output * weights).Sum() + (h * h).Sum() + (c * 0.5f).Sum();
            loss.Backward();
            var grads = lstm.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter.Grad!.ToArray());
            grads["input"] = xs.Grad!.ToArray();
            if (initial)
            {
                grads["h0"] = hs.Grad!.ToArray();
                grads["c0"] = cs.Grad!.ToArray();
            }
            return (output.ToArray(), h.ToArray(), c.ToArray(), grads);
        }

        var fused = Run(true);
        var composed = Run(false);
        AssertClose(composed.Output, fused.Output, "output");
        AssertClose(composed.H, fused.H, "final h");
        AssertClose(composed.C, fused.C, "final c");
        Assert.Equal(composed.Grads.Keys.Order(), fused.Grads.Keys.Order());
        foreach (var (name, expected) in composed.Grads) AssertClose(expected, fused.Grads[name], $"d{name}");
    }

    private static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5f * (1 + Math.Abs(expected[i])), $"{what}[{i}]: fused {actual[i]}, composed {expected[i]}");
        }
    }

    [Fact]
    public void Higher_order_gradients_need_the_composed_layer_and_say_so()
    {
        var x = Tensor.Randn([5, 2, 3], new Generator(1)).RequireGrad();
        var fused = new Lstm(3, 4, generator: new Generator(2));
        var y = fused.Forward(x).Sum();
        var error = Assert.Throws<NotSupportedException>(() => Autograd.Grad(y, x, createGraph: true));
        Assert.Contains("Lstm.Fused = false", error.Message);

        var composed = new Lstm(3, 4, generator: new Generator(2)) { Fused = false };
        var gx = Autograd.Grad(composed.Forward(x).Sum(), x, createGraph: true);
        var second = Autograd.Grad((gx * gx).Sum(), x);
        Assert.True(second.ToArray().All(float.IsFinite));
        Assert.Contains(second.ToArray(), v => v != 0f);
    }

    [Fact]
    public void An_empty_batch_runs_forward_and_backward()
    {
        var lstm = new Lstm(4, 8, generator: new Generator(3));
        var x = Tensor.Zeros(5, 0, 4).RequireGrad();
        var (output, (h, c)) = lstm.Forward(x, null);
        Assert.Equal(new Shape(5, 0, 8), output.Shape);
        Assert.Equal(new Shape(1, 0, 8), h.Shape);
        (output.Sum() + c.Sum()).Backward();
        Assert.All(lstm.Parameters().SelectMany(p => p.Grad!.ToArray()), v => Assert.Equal(0f, v));
    }
}
