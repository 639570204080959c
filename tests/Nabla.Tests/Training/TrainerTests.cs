using Nabla.Data;
using Nabla.NN;
using Nabla.Optim;
using Nabla.Tests.Support;
using Nabla.Training;

namespace Nabla.Tests.Training;

/// <summary>Fit, Evaluate and Predict on small synthetic problems, checked against sums computed here from the model's outputs.</summary>
public class TrainerTests
{
    [Fact]
    public void Fit_learns_a_separable_problem_and_logs_every_key()
    {
        var trainer = TrainingData.Classifier();
        var train = new DataLoader(TrainingData.Blobs(200, seed: 1), batchSize: 16, shuffle: true, seed: 3);
        var validation = new DataLoader(TrainingData.Blobs(60, seed: 2), batchSize: 32);
        var history = trainer.Fit(train, epochs: 5, validation: validation);

        Assert.Equal(5, history.Epochs.Count);
        Assert.Null(history.StopReason);
        Assert.Equal(["accuracy", "loss", "lr", "val_accuracy", "val_loss"], history.Keys.Order(StringComparer.Ordinal));
        var loss = history["loss"];
        Assert.True(loss[^1] < loss[0] / 2, $"loss went from {loss[0]} to {loss[^1]}");
        Assert.True(history["val_accuracy"][^1] >= 0.95, $"val_accuracy {history["val_accuracy"][^1]}");
        Assert.All(history["lr"], lr => Assert.Equal(0.5, lr, 6));

        // The model did not change after the last validation, so evaluating again gives the logged figures exactly.
        var again = trainer.Evaluate(validation);
        Assert.Equal(history["val_loss"][^1], again["loss"]);
        Assert.Equal(history["val_accuracy"][^1], again["accuracy"]);
    }

    [Fact]
    public void Evaluate_averages_loss_and_accuracy_over_examples_not_batches()
    {
        var trainer = TrainingData.Classifier(seed: 5);
        var data = TrainingData.Blobs(50, seed: 4);
        // Batches of 16, 16, 16 and 2: a mean of batch means would weigh the last two examples 8 times too much.
        var logs = trainer.Evaluate(new DataLoader(data, batchSize: 16));

        var logits = trainer.Model.Forward(data.Inputs).ToArray();
        var labels = data.Targets.ToArray();
        double lossSum = 0, correct = 0;
        for (var i = 0; i < 50; i++)
        {
            double a = logits[2 * i], b = logits[2 * i + 1];
            var max = Math.Max(a, b);
            var logSumExp = max + Math.Log(Math.Exp(a - max) + Math.Exp(b - max));
            lossSum += logSumExp - (labels[i] == 0 ? a : b);
            correct += (b > a ? 1 : 0) == (int)labels[i] ? 1 : 0;
        }
        Assert.Equal(lossSum / 50, logs["loss"], 5);
        Assert.Equal(correct / 50, logs["accuracy"], 12);
        Assert.Equal(["loss", "accuracy"], logs.Keys);
    }

    [Fact]
    public void The_training_loss_is_the_example_weighted_mean_of_the_batch_losses()
    {
        // With a zero learning rate the weights never move, so the epoch's loss must equal Evaluate on the same data.
        var trainer = TrainingData.Classifier(learningRate: 0f, seed: 6);
        var data = TrainingData.Blobs(50, seed: 7);
        var batchLosses = new List<(double Loss, int Batch)>();
        var history = trainer.Fit(new DataLoader(data, batchSize: 16, shuffle: true, seed: 1), epochs: 1,
            callbacks: [new LambdaCallback(onBatchEnd: (_, b, logs) => batchLosses.Add((logs["loss"], b)))]);
        var reference = trainer.Evaluate(new DataLoader(data, batchSize: 50));

        Assert.Equal([0, 1, 2, 3], batchLosses.Select(b => b.Batch));
        Assert.Equal(reference["loss"], history["loss"][0], 5);
        Assert.Equal(reference["accuracy"], history["accuracy"][0], 12);
        var weighted = (batchLosses[0].Loss * 16 + batchLosses[1].Loss * 16 + batchLosses[2].Loss * 16 + batchLosses[3].Loss * 2) / 50;
        Assert.Equal(weighted, history["loss"][0], 9);
    }

    [Fact]
    public void Fit_fits_a_regression_and_its_metrics_agree_with_the_loss()
    {
        var model = new Linear(2, 1, generator: new Generator(2));
        var trainer = new Trainer(model, new Adam(model.Parameters(), 0.1f), new MseLoss(), [new MeanAbsoluteError(), new RootMeanSquaredError(), new RSquared()]);
        var validation = new DataLoader(TrainingData.Regression(64, seed: 9), batchSize: 64);
        var history = trainer.Fit(new DataLoader(TrainingData.Regression(256, seed: 8), batchSize: 32, shuffle: true), epochs: 15, validation: validation);

        Assert.True(history["val_r2"][^1] > 0.99, $"val_r2 {history["val_r2"][^1]}");
        Assert.True(history["loss"][^1] < history["loss"][0] / 10, $"loss went from {history["loss"][0]} to {history["loss"][^1]}");
        // One validation batch: the mean squared error is the loss, and rmse² must equal it.
        Assert.Equal(history["val_loss"][^1], history["val_rmse"][^1] * history["val_rmse"][^1], 5);
        Assert.True(history["val_mae"][^1] <= history["val_rmse"][^1], "MAE cannot exceed RMSE");
        var weights = model.Parameters().Select(p => p.ToArray()).ToArray();
        Check.Close([2f, -3f], Tensor.FromArray(weights[0], 2), rtol: 0, atol: 0.05, context: "weight");
        Check.Close([1f], Tensor.FromArray(weights[1], 1), rtol: 0, atol: 0.05, context: "bias");
    }

    [Fact]
    public void Predict_in_batches_matches_one_forward_pass_and_restores_the_mode()
    {
        var trainer = TrainingData.Classifier(seed: 3);
        var x = TrainingData.Blobs(23, seed: 1).Inputs;
        trainer.Model.Train();
        var batched = trainer.Predict(x, batchSize: 5);
        var whole = trainer.Model.Forward(x);
        Assert.Equal([23, 2], batched.Shape.ToArray());
        Check.Close(whole.ToArray(), batched);
        Assert.True(trainer.Model.IsTraining);
        Assert.False(batched.RequiresGrad);
        Assert.Throws<ArgumentException>(() => trainer.Predict(x, batchSize: 0));
    }

    [Fact]
    public void Cancellation_stops_at_the_next_batch_and_says_where()
    {
        using var source = new CancellationTokenSource();
        var seen = new List<(int Epoch, int Batch)>();
        var cancelAt = new LambdaCallback(onBatchEnd: (e, b, _) =>
        {
            seen.Add((e, b));
            if (e == 1 && b == 2) source.Cancel();
        });
        var trainer = TrainingData.Classifier();
        var validation = new DataLoader(TrainingData.Blobs(20, seed: 2), batchSize: 20);
        // EarlyStopping watches val_loss, which the cut-short epoch does not have: it must not throw.
        var history = trainer.Fit(new DataLoader(TrainingData.Blobs(80, seed: 1), batchSize: 10), epochs: 5, validation: validation,
            callbacks: [cancelAt, new EarlyStopping(patience: 3)], cancellationToken: source.Token);

        Assert.Equal(8 + 3, seen.Count);
        Assert.Equal((1, 2), seen[^1]);
        Assert.Equal("cancelled in epoch 2 after 3 batches", history.StopReason);
        Assert.Equal(2, history.Epochs.Count);

        var before = trainer.Fit(new DataLoader(TrainingData.Blobs(20, seed: 1), batchSize: 10), epochs: 3, cancellationToken: source.Token);
        Assert.Empty(before.Epochs);
        Assert.Equal("cancelled before epoch 1", before.StopReason);
    }

    [Fact]
    public void A_huge_learning_rate_stops_at_the_first_non_finite_loss_naming_epoch_and_batch()
    {
        var model = new Linear(2, 1, generator: new Generator(1));
        var trainer = new Trainer(model, new Sgd(model.Parameters(), 1e9f), new MseLoss());
        var batches = new List<(int Epoch, int Batch, double Loss)>();
        var history = trainer.Fit(new DataLoader(TrainingData.Regression(64, seed: 1), batchSize: 4), epochs: 3,
            validation: new DataLoader(TrainingData.Regression(8, seed: 2), batchSize: 8),
            callbacks: [new LambdaCallback(onBatchEnd: (e, b, logs) => batches.Add((e, b, logs["loss"]))), new EarlyStopping()]);

        var first = batches.FindIndex(b => !double.IsFinite(b.Loss));
        Assert.True(first > 0, "the first batch's loss is finite; a later one must not be");
        Assert.Equal(batches.Count - 1, first);
        var (epoch, batch, _) = batches[first];
        Assert.NotNull(history.StopReason);
        Assert.Contains($"at epoch {epoch + 1}, batch {batch + 1}", history.StopReason);
        Assert.Contains("lower learning rate", history.StopReason);
        Assert.Contains("gradient clipping", history.StopReason);
        Assert.StartsWith("loss became ", history.StopReason);
    }

    [Fact]
    public void With_the_default_off_the_TerminateOnNaN_callback_stops_instead()
    {
        var model = new Linear(2, 1, generator: new Generator(1));
        var trainer = new Trainer(model, new Sgd(model.Parameters(), 1e9f), new MseLoss()) { TerminateOnNaN = false };
        var data = new DataLoader(TrainingData.Regression(64, seed: 1), batchSize: 4);
        var unguarded = trainer.Fit(data, epochs: 2);
        Assert.Null(unguarded.StopReason);
        Assert.Equal(2, unguarded.Epochs.Count);

        model.LoadStateDict(new Linear(2, 1, generator: new Generator(1)).StateDict());
        var guarded = trainer.Fit(data, epochs: 2, callbacks: [new TerminateOnNaN()]);
        Assert.Single(guarded.Epochs);
        Assert.Contains("training diverged", guarded.StopReason);
    }

    [Fact]
    public void Bad_arguments_fail_with_clear_messages()
    {
        var model = new Linear(2, 2);
        var optimizer = new Sgd(model.Parameters(), 0.1f);
        var e = Assert.Throws<ArgumentException>(() => new Trainer(model, optimizer, new CrossEntropyLoss(), [new Accuracy(), new Accuracy()]));
        Assert.Contains("unique", e.Message);
        var trainer = TrainingData.Classifier();
        Assert.Throws<ArgumentException>(() => trainer.Fit(new DataLoader(TrainingData.Blobs(4, 1), 2), epochs: -1));
        var missing = Assert.Throws<InvalidOperationException>(() =>
            trainer.Fit(new DataLoader(TrainingData.Blobs(4, 1), 2), epochs: 1, callbacks: [new EarlyStopping()]));
        Assert.Contains("'val_loss'", missing.Message);
    }

    [Fact]
    public void Predict_on_no_examples_returns_an_empty_batch()
    {
        var trainer = TrainingData.Classifier();
        Assert.Equal([0, 2], trainer.Predict(Tensor.Zeros(0, 2)).Shape.ToArray());
    }

    [Fact]
    public void ClipGradientNorm_bounds_each_update_of_plain_sgd()
    {
        // Sgd with lr 1: the update is the gradient itself, so after clipping its global L2 norm is the clip value.
        double UpdateNorm(float? clip)
        {
            var trainer = TrainingData.Classifier(learningRate: 1f, seed: 4);
            trainer.ClipGradientNorm = clip;
            var before = TrainingData.Weights(trainer.Model);
            trainer.Fit(new DataLoader(TrainingData.Blobs(32, seed: 1), batchSize: 32), epochs: 1);
            var after = TrainingData.Weights(trainer.Model);
            return Math.Sqrt(before.Zip(after).Sum(p => p.First.Zip(p.Second).Sum(v => (double)(v.Second - v.First) * (v.Second - v.First))));
        }
        Assert.True(UpdateNorm(null) > 0.1);
        Assert.Equal(0.01, UpdateNorm(0.01f), 5);
    }

    [Fact]
    public void Resuming_at_an_epoch_gives_the_same_weights_as_an_uninterrupted_run()
    {
        Trainer Make()
        {
            var model = new Linear(2, 2, generator: new Generator(8));
            return new Trainer(model, new Adam(model.Parameters(), 0.05f), new CrossEntropyLoss(), [new Accuracy()]);
        }
        var loader = new DataLoader(TrainingData.Blobs(40, seed: 3), batchSize: 8, shuffle: true, seed: 6);
        var whole = Make();
        var wholeHistory = whole.Fit(loader, epochs: 4);
        var split = Make();
        split.Fit(loader, epochs: 2);
        var epochs = new List<int>();
        var resumed = split.Fit(loader, epochs: 4, callbacks: [new LambdaCallback(onEpochBegin: epochs.Add)], initialEpoch: 2);
        Assert.Equal([2, 3], epochs);
        Assert.Equal(wholeHistory["loss"][2..], resumed["loss"]);
        Assert.Equal(TrainingData.Weights(whole.Model), TrainingData.Weights(split.Model));
    }

    [Fact]
    public void Evaluate_runs_dropout_in_eval_mode_and_restores_training_mode()
    {
        var g = new Generator(2);
        var model = new Sequential(new Linear(2, 16, generator: g), new Relu(), new Dropout(0.5f, g), new Linear(16, 2, generator: g));
        var trainer = new Trainer(model, new Sgd(model.Parameters(), 0.1f), new CrossEntropyLoss(), [new Accuracy()]);
        var data = new DataLoader(TrainingData.Blobs(30, seed: 1), batchSize: 7);
        model.Train();
        var first = trainer.Evaluate(data);
        var second = trainer.Evaluate(data);
        Assert.Equal(first, second);
        Assert.True(model.IsTraining);
        model.Eval();
        Assert.Equal(first, trainer.Evaluate(data));
        Assert.False(model.IsTraining);
    }
}
