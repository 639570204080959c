using System.Globalization;
using Nabla.Data;
using Nabla.Optim;
using Nabla.Training;

namespace Nabla.Tests.Training;

/// <summary>
/// Callbacks driven through real Fit runs. Monitored values are scripted: a LambdaCallback listed first overwrites
/// the key with a fixed sequence, so each test knows by hand when training must stop and which weights win.
/// </summary>
public class CallbackTests
{
    private static LambdaCallback Script(string key, double[] values) => new(onEpochEnd: (epoch, logs) => logs[key] = values[epoch]);

    private static DataLoader Train(int count = 40) => new(TrainingData.Blobs(count, seed: 1), batchSize: 10, shuffle: true, seed: 2);

    public static TheoryData<string, MonitorMode, int, double, double[], int, int> EarlyStoppingCases() => new()
    {
        // key, mode, patience, minDelta, scripted values, epochs that run, best epoch (0-based); worked out by hand:
        // e0 5 and e1 4 improve; 4.5 waits 1; 3.995 is not below 4 − 0.01, waits 2 = patience: stop after e3.
        { "score", MonitorMode.Auto, 2, 0.01, [5, 4, 4.5, 3.995, 4.2, 1, 1, 1, 0, 0], 4, 1 },
        // Without minDelta 3.995 improves; 4.2 waits 1; 1 improves; 1, 1 wait 1, 2: stop after e7.
        { "score", MonitorMode.Auto, 2, 0, [5, 4, 4.5, 3.995, 4.2, 1, 1, 1, 0, 0], 8, 5 },
        // Auto mode maximizes accuracy-like keys: e3 0.7 is the best; 0.65 and 0.69 wait 1, 2: stop after e5.
        { "val_accuracy", MonitorMode.Auto, 2, 0, [0.5, 0.6, 0.6, 0.7, 0.65, 0.69, 0.71, 0.7, 0.7, 0.7], 6, 3 },
        // Patience 0: the first epoch without improvement stops.
        { "score", MonitorMode.Min, 0, 0, [3, 2, 2.5, 1, 1, 1, 1, 1, 1, 1], 3, 1 },
        // Max mode on a key Auto would minimize: 1.5 is worse than 2, patience 1 stops after e2.
        { "score", MonitorMode.Max, 1, 0, [1, 2, 1.5, 1.2, 3, 3, 3, 3, 3, 3], 3, 1 },
        // Always improving: all 10 epochs run.
        { "score", MonitorMode.Auto, 3, 0, [10, 9, 8, 7, 6, 5, 4, 3, 2, 1], 10, 9 },
    };

    [Theory]
    [MemberData(nameof(EarlyStoppingCases))]
    public void EarlyStopping_stops_after_patience_epochs_without_improvement_and_restores_the_best_weights(
        string key, MonitorMode mode, int patience, double minDelta, double[] values, int epochsRun, int bestEpoch)
    {
        foreach (var restore in new[] { true, false })
        {
            var trainer = TrainingData.Classifier();
            var snapshots = new List<float[][]>();
            var record = new LambdaCallback(onEpochEnd: (_, _) => snapshots.Add(TrainingData.Weights(trainer.Model)));
            var stopping = new EarlyStopping(key, patience, minDelta, mode, restoreBestWeights: restore);
            var history = trainer.Fit(Train(), epochs: 10, callbacks: [Script(key, values), stopping, record]);

            Assert.Equal(epochsRun, history.Epochs.Count);
            Assert.Equal(bestEpoch, stopping.BestEpoch);
            Assert.Equal(values[bestEpoch], stopping.BestValue);
            Assert.Equal(values[..epochsRun], history[key]);
            if (epochsRun < 10)
            {
                Assert.Equal(epochsRun - 1, stopping.StoppedEpoch);
                Assert.Equal(string.Create(CultureInfo.InvariantCulture,
                    $"early stopping: {key} did not improve for {epochsRun - 1 - bestEpoch} epochs (best {values[bestEpoch]:G6} at epoch {bestEpoch + 1})"), history.StopReason);
            }
            else
            {
                Assert.Null(history.StopReason);
            }
            var expected = restore ? snapshots[bestEpoch] : snapshots[^1];
            Assert.Equal(expected, TrainingData.Weights(trainer.Model));
            if (bestEpoch != epochsRun - 1) Assert.NotEqual(snapshots[bestEpoch], snapshots[^1]);
        }
    }

    [Fact]
    public void EarlyStopping_restores_the_best_weights_when_resuming_from_a_later_epoch()
    {
        // Epochs 2..5 run (4 history entries); the best is epoch 3, not the last one (5). Best and last must be compared as epochs:
        // 3 also equals the history's last index, which must not count as "the best is the current state".
        var trainer = TrainingData.Classifier();
        var snapshots = new Dictionary<int, float[][]>();
        var record = new LambdaCallback(onEpochEnd: (e, _) => snapshots[e] = TrainingData.Weights(trainer.Model));
        var values = new double[] { 0, 0, 1.0, 0.5, 0.6, 0.7 };
        var stopping = new EarlyStopping("score", patience: 5);
        var history = trainer.Fit(Train(), epochs: 6, callbacks: [Script("score", values), stopping, record], initialEpoch: 2);

        Assert.Equal(4, history.Epochs.Count);
        Assert.Equal(3, stopping.BestEpoch);
        Assert.Equal(snapshots[3], TrainingData.Weights(trainer.Model));
    }

    [Fact]
    public void LearningRateScheduler_steps_per_epoch()
    {
        var trainer = TrainingData.Classifier(learningRate: 0.1f);
        var schedule = new StepLR(trainer.Optimizer!, stepSize: 2, gamma: 0.5f);
        var history = trainer.Fit(Train(), epochs: 5, callbacks: [new LearningRateScheduler(schedule)]);
        // The logged rate is the one the epoch trained with: 0.1·0.5^⌊epoch/2⌋.
        Assert.Equal([0.1, 0.1, 0.05, 0.05, 0.025], history["lr"].Select(v => Math.Round(v, 7)));
    }

    [Fact]
    public void LearningRateScheduler_steps_per_batch()
    {
        var trainer = TrainingData.Classifier(learningRate: 0.1f);
        var schedule = new StepLR(trainer.Optimizer!, stepSize: 3, gamma: 0.5f);
        var used = new List<double>();
        var record = new LambdaCallback(onBatchEnd: (_, _, _) => used.Add(trainer.Optimizer!.LearningRate));
        var history = trainer.Fit(Train(), epochs: 2, callbacks: [record, new LearningRateScheduler(schedule, perBatch: true)]);
        // 4 batches per epoch; batch i (counted across epochs) trains with 0.1·0.5^⌊i/3⌋.
        Assert.Equal([0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025], used.Select(v => Math.Round(v, 7)));
        // At each epoch's end 4 and 8 steps have been taken.
        Assert.Equal([0.05, 0.025], history["lr"].Select(v => Math.Round(v, 7)));
    }

    [Fact]
    public void ReduceLearningRateOnPlateau_halves_the_rate_after_patience_bad_epochs()
    {
        var trainer = TrainingData.Classifier(learningRate: 0.1f);
        var plateau = new ReduceLROnPlateau(trainer.Optimizer!, factor: 0.5f, patience: 1);
        // 1 and 0.9 improve; 0.9, 0.9 are bad epochs 1, 2 > patience: halve after e3; 0.9 bad 1; 0.5 improves; 0.5, 0.5 bad 1, 2: halve after e7.
        var values = new double[] { 1, 0.9, 0.9, 0.9, 0.9, 0.5, 0.5, 0.5 };
        var history = trainer.Fit(Train(), epochs: 8, callbacks: [Script("score", values), new ReduceLearningRateOnPlateau(plateau, "score")]);
        Assert.Equal([0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05], history["lr"].Select(v => Math.Round(v, 7)));
        Assert.Equal(0.025, trainer.Optimizer!.LearningRate, 7);
    }

    [Fact]
    public void CsvLogger_writes_a_header_and_one_row_per_epoch()
    {
        var path = Path.Combine(Path.GetTempPath(), $"nabla-csvlogger-{Guid.NewGuid():N}.csv");
        try
        {
            var trainer = TrainingData.Classifier();
            var validation = new DataLoader(TrainingData.Blobs(20, seed: 5), batchSize: 20);
            var history = trainer.Fit(Train(), epochs: 3, validation: validation, callbacks: [new CsvLogger(path)]);
            var lines = File.ReadAllLines(path);
            Assert.Equal(4, lines.Length);
            var header = lines[0].Split(',');
            Assert.Equal("epoch", header[0]);
            Assert.Equal(history.Keys.Order(StringComparer.Ordinal), header[1..].Order(StringComparer.Ordinal));
            for (var e = 0; e < 3; e++)
            {
                var cells = lines[e + 1].Split(',');
                Assert.Equal((e + 1).ToString(CultureInfo.InvariantCulture), cells[0]);
                for (var c = 1; c < header.Length; c++) Assert.Equal(history[header[c]][e], double.Parse(cells[c], CultureInfo.InvariantCulture));
            }
            Assert.Equal(history.ToCsv().ReplaceLineEndings("\n").TrimEnd(), string.Join("\n", lines));

            trainer.Fit(Train(), epochs: 2, validation: validation, callbacks: [new CsvLogger(path, append: true)]);
            Assert.Equal(6, File.ReadAllLines(path).Length);
            Assert.Single(File.ReadAllLines(path), l => l.StartsWith("epoch", StringComparison.Ordinal));

            trainer.Fit(Train(), epochs: 1, callbacks: [new CsvLogger(path)]);
            Assert.Equal(["epoch,loss,accuracy,lr"], File.ReadAllLines(path)[..1]);
            Assert.Equal(2, File.ReadAllLines(path).Length);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void EpochLogger_writes_one_line_per_epoch()
    {
        var output = new StringWriter();
        var trainer = TrainingData.Classifier();
        var history = trainer.Fit(Train(), epochs: 3, callbacks: [new EpochLogger(output)]);
        var lines = output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        for (var e = 0; e < 3; e++)
        {
            var loss = history["loss"][e].ToString("0.0000", CultureInfo.InvariantCulture);
            var accuracy = history["accuracy"][e].ToString("0.0000", CultureInfo.InvariantCulture);
            Assert.StartsWith($"epoch {e + 1}/3  loss {loss}  accuracy {accuracy}  lr 0.5  (", lines[e]);
            Assert.EndsWith(" s)", lines[e]);
        }
    }

    [Fact]
    public void History_reads_keys_by_epoch_and_writes_csv()
    {
        var history = new History();
        history.Add(new Dictionary<string, double> { ["loss"] = 1.5, ["accuracy"] = 0.25 });
        history.Add(new Dictionary<string, double> { ["loss"] = 0.75, ["val_loss"] = 0.8 });
        Assert.Equal(["loss", "accuracy", "val_loss"], history.Keys);
        Assert.Equal([1.5, 0.75], history["loss"]);
        Assert.Equal([0.25, double.NaN], history["accuracy"]);
        Assert.Equal([double.NaN, double.NaN], history["missing"]);
        var n = Environment.NewLine;
        Assert.Equal($"epoch,loss,accuracy,val_loss{n}1,1.5,0.25,{n}2,0.75,,0.8{n}", history.ToCsv());
        Assert.Empty(new History().Keys);
        Assert.Equal($"epoch{n}", new History().ToCsv());
    }
}
