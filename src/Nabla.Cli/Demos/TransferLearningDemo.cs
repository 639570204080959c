using Nabla.Cli.Reports;
using Nabla.Data;
using Nabla.NN;
using Nabla.Optim;
using Nabla.Training;

namespace Nabla.Cli.Demos;

/// <summary>
/// Transfer learning: convolution filters learnt on digits 0-4 (strokes, curves) also serve digits 5-9, so with only
/// 100 labelled 5-9 digits a reused base beats the same network trained from scratch.
/// </summary>
internal sealed class TransferLearningDemo : Demo
{
    public override string Name => "transfer-learning";
    public override string Description => "a CNN pretrained on digits 0-4, reused for 5-9 with 100 labels: frozen base vs fine-tuned vs from scratch";

    /// <summary>The feature extractor: [N, 1, 28, 28] -> [N, 400].</summary>
    private static Sequential Base(Generator g) => new(
        new Conv2d(1, 8, kernelSize: 3, generator: g), new Relu(), new MaxPool2d(2),  // [N, 8, 13, 13]
        new Conv2d(8, 16, kernelSize: 3, generator: g), new Relu(), new MaxPool2d(2), // [N, 16, 5, 5]
        new Flatten());

    public override DemoResult Run(DemoContext context)
    {
        var (pretrainCount, pretrainEpochs, fewShot, fineTuneEpochs) = context.Quick ? (2000, 2, 100, 15) : (5000, 4, 100, 20);
        int[] low = [0, 1, 2, 3, 4], high = [5, 6, 7, 8, 9];

        // 1. Pretrain base + head on digits 0-4.
        var pretrained = Base(new Generator(context.Seed));
        var pretrainModel = new Sequential(pretrained, new Linear(400, 5, generator: new Generator(context.Seed + 1)));
        var pretrainData = DemoDataB.Mnist(train: true, pretrainCount, low);
        new Trainer(pretrainModel, new Adam(pretrainModel.Parameters(), 3e-3f), new CrossEntropyLoss())
            .Fit(new DataLoader(pretrainData, 32, shuffle: true, seed: context.Seed), pretrainEpochs);
        var lowTest = DemoDataB.Mnist(train: false, 500, low);
        var pretrainAccuracy = DemoDataB.Accuracy(Predict(pretrainModel, lowTest.Inputs), lowTest.Targets);
        context.Say($"   pretrained on {pretrainCount} digits 0-4: test accuracy on 0-4 {pretrainAccuracy:0.000}");

        // 2. Only 100 labelled digits 5-9 (labels shifted to 0-4 for the new 5-way head).
        var few = Shift(DemoDataB.Mnist(train: true, fewShot, high));
        var highTest = Shift(DemoDataB.Mnist(train: false, context.Quick ? 500 : 1000, high));
        var result = new DemoResult { ["pretrain_accuracy"] = pretrainAccuracy };
        var labels = new List<string>();
        var values = new List<double>();
        foreach (var variant in new[] { "frozen", "finetuned", "scratch" })
        {
            var features = Base(new Generator(context.Seed + 10));
            if (variant != "scratch") features.LoadStateDict(pretrained.StateDict());
            if (variant == "frozen") features.Freeze(); // only the new head learns
            var model = new Sequential(features, new Linear(400, 5, generator: new Generator(context.Seed + 11)));
            var lr = variant == "finetuned" ? 1e-3f : variant == "frozen" ? 1e-2f : 3e-3f; // fine-tuning moves pretrained weights gently
            new Trainer(model, new Adam(model.TrainableParameters(), lr), new CrossEntropyLoss())
                .Fit(new DataLoader(few, 20, shuffle: true, seed: context.Seed), fineTuneEpochs);
            var accuracy = DemoDataB.Accuracy(Predict(model, highTest.Inputs), highTest.Targets);
            result[$"{variant}_accuracy"] = accuracy;
            labels.Add(variant);
            values.Add(accuracy);
            context.Say($"   {variant,-10} ({model.TrainableParameters().Sum(p => p.Shape.Count),5} trainable parameters): accuracy on test digits 5-9 {accuracy:0.000}");
        }
        context.Say($"   with {fewShot} labels, features learnt on other digits carry over; from scratch the network has too little to learn from.");
        context.SaveChart("accuracy.svg", SvgChart.Bar($"Digits 5-9 from {fewShot} labelled examples", labels, values, yLabel: "test accuracy"));
        return result;
    }

    private static Tensor Predict(Module model, Tensor inputs)
    {
        model.Eval();
        using var noGrad = Autograd.NoGrad();
        return model.Forward(inputs);
    }

    private static TensorDataset Shift(TensorDataset data) => new(data.Inputs, data.Targets - 5f);
}
