using Nabla.Cli.Reports;
using Nabla.Data;
using Nabla.NN;
using Nabla.Optim;
using Nabla.Training;

namespace Nabla.Cli.Demos;

/// <summary>
/// A generative adversarial network: a generator turns noise into images, a discriminator tells them from real digits,
/// and each trains against the other (two optimizers in one custom <see cref="TrainStep"/>).
/// </summary>
internal sealed class GanDemo : Demo
{
    private const int NoiseSize = 16;

    public override string Name => "gan";
    public override string Description => "a small MLP GAN on MNIST: generator vs discriminator, losses per epoch, generated digits";

    public override DemoResult Run(DemoContext context)
    {
        var (count, epochs) = context.Quick ? (1000, 3) : (8000, 20);
        var data = DemoDataB.Mnist(train: true, count);
        var real = new TensorDataset(data.Inputs.Reshape(count, 784), data.Targets);
        var g = new Generator(context.Seed);
        // Generator: noise [N, 16] -> image [N, 784] in (0, 1); discriminator: image [N, 784] -> logit [N, 1].
        var generator = new Sequential(new Linear(NoiseSize, 128, generator: g), new LeakyRelu(0.2f), new Linear(128, 784, generator: g), new Sigmoid());
        var discriminator = new Sequential(new Linear(784, 128, generator: g), new LeakyRelu(0.2f), new Linear(128, 1, generator: g));
        var gOptimizer = new Adam(generator.Parameters(), 2e-3f, beta1: 0.5f); // β1 = 0.5: the usual choice for adversarial training
        var dOptimizer = new Adam(discriminator.Parameters(), 2e-3f, beta1: 0.5f);
        var noise = new Generator(context.Seed + 1);

        IReadOnlyDictionary<string, double> Step(Batch batch)
        {
            var n = batch.Count;
            // Discriminator: real → 1, fake → 0; the fakes are detached so only D learns here.
            dOptimizer.ZeroGrad();
            var fake = generator.Forward(Tensor.Randn([n, NoiseSize], noise)).Detach();
            var dLoss = Losses.GanDiscriminator(discriminator.Forward(batch.Input), discriminator.Forward(fake));
            dLoss.Backward();
            dOptimizer.Step();
            // Generator: make D call fresh fakes real (non-saturating loss -log D(G(z))).
            gOptimizer.ZeroGrad();
            var gLoss = Losses.GanGeneratorNonSaturating(discriminator.Forward(generator.Forward(Tensor.Randn([n, NoiseSize], noise))));
            gLoss.Backward();
            gOptimizer.Step();
            return new Dictionary<string, double> { ["d_loss"] = dLoss.Item(), ["g_loss"] = gLoss.Item() };
        }

        var fixedNoise = Tensor.Randn([12, NoiseSize], new Generator(context.Seed + 2)); // the same 12 codes every epoch
        var dataMean = real.Inputs.Mean().Item();
        var startMean = Sample(generator, fixedNoise).Mean().Item();
        var trainer = new Trainer(new ModuleList(generator, discriminator), Step);
        var loader = new DataLoader(real, 64, shuffle: true, seed: context.Seed, dropLast: true);
        var (dLosses, gLosses) = (new double[epochs], new double[epochs]);
        for (var epoch = 0; epoch < epochs; epoch++)
        {
            var logs = trainer.Fit(loader, epochs: epoch + 1, initialEpoch: epoch).Epochs[^1];
            (dLosses[epoch], gLosses[epoch]) = (logs["d_loss"], logs["g_loss"]);
            context.Say($"   epoch {epoch + 1}: d_loss {dLosses[epoch]:0.000}, g_loss {gLosses[epoch]:0.000}");
            if (!context.Quick || epoch == epochs - 1)
            {
                context.SaveChart($"samples-epoch{epoch + 1}.svg", SvgChart.ImageGrid($"Generated digits after epoch {epoch + 1}",
                    Sample(generator, fixedNoise).Reshape(-1, 1, 28, 28), columns: 6, scale: 2));
            }
        }
        var endMean = Sample(generator, fixedNoise).Mean().Item();
        context.Say($"   mean pixel: real digits {dataMean:0.000}, generated {startMean:0.000} before training -> {endMean:0.000} after");
        var chart = SvgChart.Line("GAN losses", xLabel: "epoch", yLabel: "loss").Series("d_loss", dLosses).Series("g_loss", gLosses);
        context.SaveChart("losses.svg", chart);
        return new DemoResult
        {
            ["epochs"] = epochs, ["d_loss"] = dLosses[^1], ["g_loss"] = gLosses[^1],
            ["data_mean"] = dataMean, ["generated_mean_before"] = startMean, ["generated_mean_after"] = endMean,
        };
    }

    private static Tensor Sample(Module generator, Tensor noise)
    {
        using var noGrad = Autograd.NoGrad();
        return generator.Forward(noise);
    }
}
