using Nabla.Data;
using Nabla.NN;
using Nabla.Optim;
using Nabla.Training;

namespace Nabla.Tests.Training;

/// <summary>Small synthetic problems and models for the trainer tests; everything is seeded.</summary>
internal static class TrainingData
{
    /// <summary>Two Gaussian blobs around (-1.5, -1.5) and (+1.5, +1.5): labels [N] in {0, 1}, separable with a wide margin.</summary>
    public static TensorDataset Blobs(int count, ulong seed)
    {
        var g = new Generator(seed);
        var x = new float[count * 2];
        var y = new float[count];
        for (var i = 0; i < count; i++)
        {
            y[i] = i % 2;
            var centre = y[i] == 1 ? 1.5f : -1.5f;
            x[2 * i] = centre + 0.5f * g.NextGaussian();
            x[2 * i + 1] = centre + 0.5f * g.NextGaussian();
        }
        return new TensorDataset(Tensor.FromArray(x, count, 2), Tensor.FromArray(y, count));
    }

    /// <summary>y = 2·x0 − 3·x1 + 1 + 0.05·noise, inputs [N, 2], targets [N, 1].</summary>
    public static TensorDataset Regression(int count, ulong seed)
    {
        var g = new Generator(seed);
        var x = Tensor.Randn([count, 2], g);
        var noise = Tensor.Randn([count, 1], g) * 0.05f;
        var y = x.MatMul(Tensor.FromArray([2f, -3f], 2, 1)) + 1f + noise;
        return new TensorDataset(x, y);
    }

    /// <summary>A linear 2-class classifier with SGD, cross-entropy and accuracy.</summary>
    public static Trainer Classifier(float learningRate = 0.5f, ulong seed = 1, params Metric[] metrics)
    {
        var model = new Linear(2, 2, generator: new Generator(seed));
        return new Trainer(model, new Sgd(model.Parameters(), learningRate), new CrossEntropyLoss(), metrics.Length == 0 ? [new Accuracy()] : metrics);
    }

    /// <summary>The model's parameters, copied out.</summary>
    public static float[][] Weights(Module model) => [.. model.Parameters().Select(p => p.ToArray())];
}
