using Nabla.Data;
using Nabla.NN;
using Nabla.Optim;

namespace Nabla.Cli.Demos;

/// <summary>Shared pieces of the demos in docs/demos-a.md: finding MNIST, a plain training loop, accuracy.</summary>
internal static class DemoKitA
{
    /// <summary>The bundled data/mnist folder: found from the current directory or above the program's folder.</summary>
    public static string MnistDirectory() => DemoDataB.DataDirectory("mnist");

    /// <summary>The first <paramref name="count"/> MNIST digits as flat rows: images [count, 784] in [0, 1], labels [count].</summary>
    public static (Tensor X, Tensor Y) Mnist(int count, bool train = true, int skip = 0)
    {
        var data = Data.Mnist.Load(MnistDirectory(), train);
        var n = Math.Min(count, data.Count - skip);
        return (data.Inputs.Narrow(0, skip, n).Reshape(n, 784).Contiguous(), data.Targets.Narrow(0, skip, n).Contiguous());
    }

    /// <summary>
    /// Mini-batch training with cross-entropy: <paramref name="steps"/> steps over shuffled batches of
    /// <paramref name="batchSize"/> (full batch when it is at least N); returns the loss of every step.
    /// </summary>
    public static double[] TrainClassifier(Module model, Optimizer optimizer, Tensor x, Tensor y, int steps, int batchSize, ulong seed,
        Func<Tensor>? penalty = null)
    {
        var losses = new double[steps];
        var n = x.Shape[0];
        var g = new Generator(seed);
        model.Train();
        for (var step = 0; step < steps; step++)
        {
            using var scope = TensorScope.Begin();
            var (xb, yb) = (x, y);
            if (batchSize < n)
            {
                var index = Tensor.RandInt(0, n, [batchSize], g);
                (xb, yb) = (x.IndexSelect(0, index), y.IndexSelect(0, index));
            }
            optimizer.ZeroGrad();
            var loss = Losses.CrossEntropy(model.Forward(xb), yb);
            var total = penalty is null ? loss : loss + penalty();
            total.Backward();
            losses[step] = loss.Item();
            optimizer.Step();
        }
        return losses;
    }

    /// <summary>The fraction of rows whose arg-max logit equals the label (model in eval mode).</summary>
    public static double Accuracy(Module model, Tensor x, Tensor y)
    {
        model.Eval();
        using var scope = TensorScope.Begin();
        using (Autograd.NoGrad())
        {
            var result = model.Forward(x).ArgMax(1).Eq(y).Mean().Item();
            model.Train();
            return result;
        }
    }

    /// <summary>The cross-entropy of the model on (x, y) in eval mode.</summary>
    public static double Loss(Module model, Tensor x, Tensor y)
    {
        model.Eval();
        using var scope = TensorScope.Begin();
        using (Autograd.NoGrad())
        {
            var result = Losses.CrossEntropy(model.Forward(x), y).Item();
            model.Train();
            return result;
        }
    }

    /// <summary>Every k-th value (for printing a long curve in a few numbers).</summary>
    public static double[] Every(IReadOnlyList<double> values, int k) => [.. values.Where((_, i) => i % k == 0 || i == values.Count - 1)];
}
