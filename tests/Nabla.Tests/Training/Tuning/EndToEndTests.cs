using Nabla.Data;
using Nabla.NN;
using Nabla.Training;
using Nabla.Training.Tuning;

namespace Nabla.Tests.Training.Tuning;

/// <summary>Small searches on iris with real training; the models and folds are seeded, so the outcome is fixed.</summary>
public class EndToEndTests
{
    private static (TensorDataset Train, TensorDataset Validation) IrisSplit()
    {
        var iris = CrossValidationTests.Iris();
        var (train, validation) = Splits.Stratified([.. iris.Targets.ToArray().Select(v => (int)v)], testFraction: 0.2, seed: 1);
        var (trainPart, validationPart) = CrossValidation.Standardize(new Subset(iris, train), new Subset(iris, validation));
        return ((TensorDataset)trainPart, (TensorDataset)validationPart);
    }

    private static Trainer Build(Configuration config) =>
        Build(config, new Generator(5));

    private static Trainer Build(Configuration config, Generator g)
    {
        var model = config.CreateMlp(4, 3, g);
        return new Trainer(model, config.CreateOptimizer(model.Parameters()), new CrossEntropyLoss(), [new Accuracy()]);
    }

    [Fact]
    public void Random_search_on_iris_finds_an_accurate_configuration()
    {
        var (train, validation) = IrisSplit();
        var space = new SearchSpace()
            .LogUniform("lr", 1e-3, 0.3)
            .IntRange("hidden", 4, 16, step: 4)
            .Choice("activation", "relu", "tanh")
            .Choice("optimizer", "adam", "sgd")
            .Choice("batch_size", 16, 32);
        var search = new RandomSearch(space, trials: 8, epochs: 20, seed: 2);
        var result = search.Run(Build, train, validation, metric: "val_accuracy", seed: 3);

        Assert.True(result.Maximize);
        Assert.Equal(8, result.Trials.Count);
        Assert.True(result.Best.Score >= 0.9, result.Format());
        Assert.Equal(result.Best.Score, result.Best.Logs["val_accuracy"]);
        Assert.Equal(result.Trials.Select(t => t.Score).OrderDescending(), result.Trials.Select(t => t.Score));
        // The same seeds give the same scores.
        var again = search.Run(Build, train, validation, metric: "val_accuracy", seed: 3);
        Assert.Equal(result.Evaluations.Select(t => t.Score), again.Evaluations.Select(t => t.Score));
    }

    [Fact]
    public void Successive_halving_on_iris_ends_with_an_accurate_configuration_trained_longest()
    {
        var (train, validation) = IrisSplit();
        var space = new SearchSpace().LogUniform("lr", 1e-4, 1e-1).Choice("hidden", 8, "16-8").Uniform("dropout", 0, 0.3);
        var result = new SuccessiveHalving(space, configurations: 9, minEpochs: 2, eta: 3, seed: 4)
            .Run(Build, train, validation, metric: "val_loss");

        Assert.False(result.Maximize);
        Assert.Equal([2, 6, 18], result.Evaluations.Select(t => t.Epochs).Distinct());
        Assert.Equal(18, result.Best.Epochs);
        Assert.True(result.Best.Logs["val_accuracy"] >= 0.9, result.Format());
    }

    [Fact]
    public void Grid_search_scored_by_cross_validation_prefers_the_sensible_learning_rate()
    {
        var iris = CrossValidationTests.Iris();
        var space = new SearchSpace().LogUniform("lr", 1e-5, 1e-1, grid: [1e-5, 3e-2]).Choice("hidden", 8);
        var result = new GridSearch(space, epochs: 8).RunCrossValidated(Build, iris, folds: 3, metric: "val_accuracy", batchSize: 16,
            seed: 1, stratified: true, prepare: CrossValidation.Standardize);

        Assert.Equal(3e-2, result.BestConfiguration.GetDouble("lr"));
        Assert.True(result.Best.Score >= 0.85, result.Format());
        Assert.True(result.Best.Logs.ContainsKey("val_accuracy_std"));
        Assert.True(result.Trials[1].Score < result.Best.Score);
    }

    [Fact]
    public void A_misspelt_metric_fails_at_once()
    {
        var (train, validation) = IrisSplit();
        var search = new GridSearch(new SearchSpace().Choice("hidden", 4), epochs: 1);
        var e = Assert.Throws<ArgumentException>(() => search.Run(Build, train, validation, metric: "val_acc"));
        Assert.Contains("val_accuracy", e.Message);
    }

    [Fact]
    public void A_diverging_configuration_scores_NaN_and_ranks_last()
    {
        var (train, validation) = IrisSplit();
        var space = new SearchSpace().Choice("lr", 1e37, 0.03).Choice("optimizer", "sgd").Choice("hidden", 8);
        var result = new GridSearch(space, epochs: 3).Run(Build, train, validation, metric: "val_accuracy");
        Assert.Equal(0.03, result.BestConfiguration.GetDouble("lr"));
        Assert.True(double.IsNaN(result.Trials[1].Score), result.Format());
        Assert.Equal(1, result.Trials[1].Epochs);
    }
}
