using Nabla.Optim;

namespace Nabla.Tests.Support;

/// <summary>The short training run the fused optimizer kernels are compared on against the composed updates.</summary>
public static class OptimizerRuns
{
    /// <summary>
    /// Six steps minimising Σ w²·r from w ~ N(0, 1), with a fresh random r each step, alternately large and small so
    /// gradients change size and sign (running averages, maxima, bias corrections and momentum all matter). Returns w.
    /// </summary>
    public static float[] SixSteps(Func<Tensor, Optimizer> create, int n, ulong seed)
    {
        var generator = new Generator(seed);
        var w = Tensor.Randn([n], generator).RequireGrad();
        var optimizer = create(w);
        for (var step = 0; step < 6; step++)
        {
            optimizer.ZeroGrad();
            var weights = Tensor.Randn([n], generator) * (step % 2 == 0 ? 3f : 0.2f);
            (w * w * weights).Sum().Backward();
            optimizer.Step();
        }
        return w.ToArray();
    }
}
