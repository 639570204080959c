using Nabla.NN;
using Nabla.Tests.Support;

namespace Nabla.Tests.NN;

/// <summary>
/// Functional.Linear on [N, in] inputs is one node with the bias written under the product; checked against
/// the same layer composed of MatMul and a broadcast add: value and the gradients of x, W and b, with and
/// without bias, at batch sizes that take the few-row and the packed GEMM paths, and second derivatives.
/// </summary>
public class FusedLinearTests
{
    [Theory]
    [InlineData(1, 784, 128, true)]
    [InlineData(3, 7, 5, true)]
    [InlineData(64, 33, 17, true)]
    [InlineData(64, 33, 17, false)]
    public void Fused_linear_matches_matmul_plus_bias(int rows, int inputs, int outputs, bool withBias)
    {
        var rng = new Generator(51);
        var x = Tensor.Randn([rows, inputs], rng).RequireGrad();
        var w = Tensor.Randn([outputs, inputs], rng).RequireGrad();
        var b = withBias ? Tensor.Randn([outputs], rng).RequireGrad() : null;
        var weights = Tensor.Randn([rows, outputs], rng);
        Tensor?[] Grads(Tensor y)
        {
            var parameters = b is null ? new[] { x, w } : [x, w, b];
            return Autograd.Grad([(y * weights).Sum()], parameters);
        }

        var fused = Functional.Linear(x, w, b);
        Assert.Equal("LinearOp", fused.GradFn!.Name);
        var composedValue = b is null ? x.MatMul(w.T) : x.MatMul(w.T) + b;
        Check.Close(composedValue.ToArray(), fused, context: "y");
        var expected = Grads(composedValue);
        var actual = Grads(fused);
        for (var i = 0; i < expected.Length; i++) Check.Close(expected[i]!.ToArray(), actual[i]!, context: $"gradient {i}");
    }

    [Fact]
    public void Second_derivatives_go_through_tensor_operations()
    {
        var rng = new Generator(52);
        var x = Tensor.Randn([4, 3], rng).RequireGrad();
        var w = Tensor.Randn([2, 3], rng).RequireGrad();
        var b = Tensor.Randn([2], rng).RequireGrad();
        Tensor SecondDerivative(Func<Tensor> layer)
        {
            var y = layer();
            var gx = Autograd.Grad((y * y).Sum(), x, createGraph: true);
            return Autograd.Grad((gx * gx).Sum(), w);
        }
        var fused = SecondDerivative(() => Functional.Linear(x, w, b));
        var composed = SecondDerivative(() => x.MatMul(w.T) + b);
        Check.Close(composed.ToArray(), fused, context: "d/dW of |dy/dx|²");
    }
}
