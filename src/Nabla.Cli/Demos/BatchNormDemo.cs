using Nabla.Cli.Reports;
using Nabla.NN;
using Nabla.Optim;

namespace Nabla.Cli.Demos;

/// <summary>
/// The same deep MLP with and without batch normalisation after each hidden linear layer: with it, the loss falls faster.
/// In eval mode the layer uses its running statistics, so a digit's prediction no longer depends on its batch-mates.
/// </summary>
internal sealed class BatchNormDemo : Demo
{
    public override string Name => "batchnorm";
    public override string Description => "a deep MLP trains faster with batch normalisation; in eval mode running statistics make predictions independent of the batch";

    public override DemoResult Run(DemoContext context)
    {
        var (x, y) = DemoKitA.Mnist(context.Quick ? 512 : 4096);
        var (testX, testY) = DemoKitA.Mnist(context.Quick ? 256 : 1000, train: false);
        var steps = context.Quick ? 60 : 400;
        var depth = 6;
        var width = context.Quick ? 64 : 128;
        var result = new DemoResult();
        var chart = SvgChart.Line($"{depth}-layer sigmoid MLP on MNIST, SGD lr 0.1", "step", "cross-entropy (moving mean of 10 steps)");
        Sequential? normalised = null;
        foreach (var (key, label, withNorm) in new[] { ("plain", "without batch norm", false), ("batchnorm", "with batch norm", true) })
        {
            var g = new Generator(context.Seed);
            var layers = new List<Module>();
            for (var i = 0; i < depth - 1; i++)
            {
                layers.Add(new Linear(i == 0 ? 784 : width, width, generator: g));
                if (withNorm) layers.Add(new BatchNorm1d(width));
                layers.Add(new Sigmoid());
            }
            layers.Add(new Linear(width, 10, generator: g));
            var model = new Sequential([.. layers]);
            var losses = DemoKitA.TrainClassifier(model, new Sgd(model.Parameters(), learningRate: 0.1f), x, y, steps, batchSize: 64, context.Seed + 1);
            var last = losses.Skip(steps - 10).Average();
            var accuracy = DemoKitA.Accuracy(model, testX, testY);
            chart.Series(label, [.. losses.Select((_, i) => losses.Skip(Math.Max(0, i - 9)).Take(Math.Min(10, i + 1)).Average())]);
            context.Say($"   {label,-19}: loss {losses[0]:0.000} -> {last:0.000} (mean of last 10 of {steps} steps), test accuracy {accuracy:P1}");
            result[key + "_loss"] = last;
            result[key + "_accuracy"] = accuracy;
            if (withNorm) normalised = model;
        }

        // Eval mode: the running mean/variance replace the batch statistics.
        var bn = normalised!.NamedModules().Select(m => m.Module).OfType<BatchNorm1d>().First();
        var runningMean = bn.RunningMean!;
        var runningVar = bn.RunningVar!;
        normalised.Eval();
        double aloneVsBatch, trainVsEval;
        using (Autograd.NoGrad())
        {
            var batch = testX.Narrow(0, 0, 32);
            var inBatch = normalised.Forward(batch).Narrow(0, 0, 1);
            var alone = normalised.Forward(testX.Narrow(0, 0, 1));
            aloneVsBatch = (inBatch - alone).Abs().Max().Item();
            normalised.Train();
            var trainMode = normalised.Forward(batch).Narrow(0, 0, 1);
            normalised.Eval();
            trainVsEval = (inBatch - trainMode).Abs().Max().Item();
        }
        context.Say($"   first batch-norm layer: running mean of its inputs averages {runningMean.Mean().Item():0.000}, running variance {runningVar.Mean().Item():0.000}");
        context.Say($"   eval mode: digit 0 alone vs inside a batch of 32 differs by {aloneVsBatch:0.0e+0} (running statistics);");
        context.Say($"   train mode would give it logits differing by up to {trainVsEval:0.000} (batch statistics)");
        result["eval_alone_vs_batch"] = aloneVsBatch;
        result["train_vs_eval"] = trainVsEval;
        result["running_var_mean"] = runningVar.Mean().Item();
        context.SaveChart("batchnorm-loss.svg", chart);
        return result;
    }
}
