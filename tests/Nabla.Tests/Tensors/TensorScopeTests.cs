using Nabla.Backends.Cpu;

namespace Nabla.Tests.Tensors;

/// <summary>Buffer reuse through scopes: never a buffer seen by two live tensors, never a silent read of reused memory.</summary>
[Collection(nameof(Backends.GlobalEngineState))]
public class TensorScopeTests
{
    /// <summary>A small MLP training loop written by hand; returns the loss of every step and the final weights.</summary>
    private static (float[] Losses, float[] W1, float[] W2) Train(bool scoped, int steps)
    {
        var g = new Generator(11);
        var x = Tensor.Randn([32, 20], g);
        var y = Tensor.Randn([32, 5], g);
        var w1 = (Tensor.Randn([20, 16], g) * 0.3f).RequireGrad();
        var w2 = (Tensor.Randn([16, 5], g) * 0.3f).RequireGrad();
        var losses = new float[steps];
        for (var step = 0; step < steps; step++)
        {
            var scope = scoped ? TensorScope.Begin() : null;
            try
            {
                var h = x.MatMul(w1).Tanh();
                var diff = h.MatMul(w2) - y;
                var loss = (diff * diff).Mean();
                loss.Backward();
                using (Autograd.NoGrad())
                {
                    w1.SubInPlace(w1.Grad! * 0.1f);
                    w2.SubInPlace(w2.Grad! * 0.1f);
                }
                w1.ZeroGrad();
                w2.ZeroGrad();
                losses[step] = loss.Item();
            }
            finally
            {
                scope?.Dispose();
            }
        }
        return (losses, w1.ToArray(), w2.ToArray());
    }

    [Fact]
    public void Scoped_training_gives_bit_identical_results_to_a_pool_free_run()
    {
        var scoped = Train(scoped: true, steps: 200);
        BufferPool.Enabled = false;
        try
        {
            var plain = Train(scoped: false, steps: 200);
            Assert.Equal(plain.Losses, scoped.Losses);
            Assert.Equal(plain.W1, scoped.W1);
            Assert.Equal(plain.W2, scoped.W2);
            Assert.True(plain.Losses[^1] < plain.Losses[0] / 2);
        }
        finally
        {
            BufferPool.Enabled = true;
        }
    }

    [Fact]
    public void A_tensor_used_after_its_scope_ended_throws_instead_of_reading_reused_memory()
    {
        Tensor escaped;
        using (TensorScope.Begin())
        {
            escaped = Tensor.Ones(100) * 3f;
        }
        using (TensorScope.Begin())
        {
            _ = Tensor.Zeros(100) + 7f; // would reuse the buffer
            var error = Assert.Throws<InvalidOperationException>(() => escaped.ToArray());
            Assert.Contains("given back when the TensorScope it was created in ended", error.Message);
        }
    }

    [Fact]
    public void Kept_tensors_and_leaf_gradients_survive_the_scope()
    {
        var w = Tensor.Ones(50).RequireGrad();
        Tensor kept;
        Tensor view;
        using (var scope = TensorScope.Begin())
        {
            var loss = (w * w).Sum();
            loss.Backward();
            kept = scope.Keep(w * 2f);
            view = kept.Slice(0, 0, 10);
        }
        using (TensorScope.Begin())
        {
            for (var i = 0; i < 10; i++) _ = Tensor.Zeros(50) - 1f;
        }
        Assert.All(kept.ToArray(), v => Assert.Equal(2f, v));
        Assert.All(view.ToArray(), v => Assert.Equal(2f, v));
        Assert.All(w.Grad!.ToArray(), v => Assert.Equal(2f, v));
    }

    [Fact]
    public void Nested_scopes_hand_kept_tensors_to_the_outer_one()
    {
        Tensor fromInner;
        using (var outer = TensorScope.Begin())
        {
            using (var inner = TensorScope.Begin())
            {
                fromInner = inner.Keep(Tensor.Ones(20) + 1f);
            }
            Assert.Equal(2f, fromInner.Sum().Item() / 20f);
        }
        Assert.Throws<InvalidOperationException>(() => fromInner.ToArray());
    }

    [Fact]
    public void Scopes_must_end_in_order()
    {
        var outer = TensorScope.Begin();
        var inner = TensorScope.Begin();
        var error = Assert.Throws<InvalidOperationException>(() => outer.Dispose());
        Assert.Contains("scopes must end in the reverse order", error.Message);
        inner.Dispose();
        outer.Dispose();
    }

    [Fact]
    public void Backward_after_the_scope_ended_is_a_clear_error()
    {
        var w = Tensor.Ones(8).RequireGrad();
        Tensor loss;
        using (var scope = TensorScope.Begin())
        {
            loss = scope.Keep((w.Exp() * 2f).Sum());
        }
        var error = Assert.Throws<InvalidOperationException>(() => loss.Backward());
        Assert.Contains("TensorScope", error.Message);
    }
}
