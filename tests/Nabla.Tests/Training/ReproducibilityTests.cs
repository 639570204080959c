using Nabla.Specs;
using Nabla.Tests.Backends;
using Nabla.Tests.Support;

namespace Nabla.Tests.Training;

/// <summary>One seed fixes weights, shuffling, dropout masks and augmentation: two runs give the same bits, on 1 or 2 threads.</summary>
[Collection(nameof(GlobalEngineState))]
public class ReproducibilityTests
{
    private const string Spec = """
        {
          "name": "tiny-cnn",
          "seed": 11,
          "data": { "format": "mnist", "path": "data/mnist", "limit": 192, "validation": "none",
                    "augment": [ { "type": "RandomAffine", "degrees": 8, "translate": 0.05 } ] },
          "model": [
            { "type": "Conv2d", "inChannels": 1, "outChannels": 4, "kernelSize": 3, "padding": 1 },
            { "type": "BatchNorm2d", "numFeatures": 4 },
            { "type": "Relu" },
            { "type": "MaxPool2d", "kernelSize": 2 },
            { "type": "Flatten" },
            { "type": "Dropout", "p": 0.3 },
            { "type": "Linear", "inFeatures": 784, "outFeatures": 10 }
          ],
          "loss": "cross_entropy",
          "optimizer": { "type": "adam", "lr": 0.003 },
          "training": { "epochs": 2, "batchSize": 32 }
        }
        """;

    private static float[][] TrainWith(int threads)
    {
        var before = Parallelism.Threads;
        try
        {
            Parallelism.Threads = threads;
            var experiment = Experiment.Create(TrainingSpec.Parse(Spec), Repo.Root);
            experiment.Run();
            return [.. experiment.Model.StateDict().Values.Select(t => t.ToArray())];
        }
        finally
        {
            Parallelism.Threads = before;
        }
    }

    [Fact]
    public void Two_runs_with_one_seed_end_with_identical_weights_on_one_or_two_threads()
    {
        var one = TrainWith(1);
        var two = TrainWith(2);
        var again = TrainWith(2);
        Assert.Equal(one.Length, two.Length);
        for (var i = 0; i < one.Length; i++)
        {
            Assert.Equal(one[i], two[i]);
            Assert.Equal(two[i], again[i]);
        }
    }

    [Fact]
    public void The_reference_mlp_spec_matches_pytorchs_accuracy_within_one_point()
    {
        // PyTorch 1.13 with the same set-up (../shared/bench/mlp_train.py) reaches 92.5 % on these test digits.
        var experiment = Experiment.Create(TrainingSpec.Load(Repo.Path("examples", "mnist-mlp.json")), Repo.Root);
        var result = experiment.Run();
        Assert.InRange(result.Test["accuracy"], 0.915, 0.935);
    }
}
