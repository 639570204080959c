using Nabla.Data;
using Nabla.NN;
using Nabla.Optim;
using Nabla.Training;

namespace Nabla.Tests.Training;

/// <summary>A custom TrainStep: a tiny GAN on 1-D data, two optimizers, run by Fit with callbacks.</summary>
public class CustomStepTests
{
    /// <summary>Generator x = a·z + b (z ~ N(0, 1)) and a small discriminator; Forward generates.</summary>
    private sealed class Gan : Module
    {
        public Gan(Generator g)
        {
            G = Add("generator", new Linear(1, 1, generator: g));
            D = Add("discriminator", new Sequential(new Linear(1, 16, generator: g), new Tanh(), new Linear(16, 1, generator: g)));
        }

        public Linear G { get; }
        public Sequential D { get; }

        protected override Tensor Compute(Tensor input) => G.Forward(input);
    }

    [Fact]
    public void A_gan_step_with_two_optimizers_trains_and_logs_its_keys()
    {
        var gan = new Gan(new Generator(4));
        var dOptimizer = new Adam(gan.D.Parameters(), 0.02f, beta1: 0.5f);
        var gOptimizer = new Adam(gan.G.Parameters(), 0.02f, beta1: 0.5f);
        var bce = new BceWithLogitsLoss();
        var noise = new Generator(5);
        TrainStep step = batch =>
        {
            var n = batch.Count;
            var fake = gan.G.Forward(Tensor.Randn([n, 1], noise));                     // [n, 1]
            var dLoss = bce.Compute(gan.D.Forward(batch.Input), Tensor.Ones(n, 1))
                      + bce.Compute(gan.D.Forward(fake.Detach()), Tensor.Zeros(n, 1));
            dOptimizer.ZeroGrad();
            dLoss.Backward();
            dOptimizer.Step();
            var gLoss = bce.Compute(gan.D.Forward(fake), Tensor.Ones(n, 1));         // non-saturating generator loss
            gOptimizer.ZeroGrad();
            gLoss.Backward();
            gOptimizer.Step();
            return new Dictionary<string, double> { ["d_loss"] = dLoss.Item(), ["g_loss"] = gLoss.Item() };
        };
        // Real data: N(3, 0.5²); targets are unused.
        var real = Tensor.Randn([256, 1], new Generator(6)) * 0.5f + 3f;
        var loader = new DataLoader(new TensorDataset(real, Tensor.Zeros(256)), batchSize: 32, shuffle: true, seed: 1);
        var batches = new List<(int Epoch, double DLoss)>();
        var startMean = Mean(gan);
        var trainer = new Trainer(gan, step);
        var history = trainer.Fit(loader, epochs: 12, callbacks: [new LambdaCallback(onBatchEnd: (e, _, logs) => batches.Add((e, logs["d_loss"])))]);

        Assert.Equal(["d_loss", "g_loss"], history.Keys);
        Assert.Equal(12 * 8, batches.Count);
        // Every batch has 32 examples, so the epoch's d_loss is the plain mean of its batches.
        for (var e = 0; e < 12; e++) Assert.Equal(batches.Where(b => b.Epoch == e).Average(b => b.DLoss), history["d_loss"][e], 9);
        var endMean = Mean(gan);
        Assert.True(Math.Abs(endMean - 3) < Math.Abs(startMean - 3) / 3, $"generated mean went from {startMean} to {endMean}; the data's is 3");
    }

    private static double Mean(Gan gan)
    {
        using var _ = Autograd.NoGrad();
        return gan.Forward(Tensor.Randn([2000, 1], new Generator(9))).Mean().Item();
    }
}
