using System.Diagnostics;
using Nabla.Training;

namespace Nabla.Serving.Dashboard;

/// <summary>
/// Publishes a training run to a dashboard: <c>start</c> when training begins, throttled <c>batch</c> events
/// (epoch, batch, loss, learning rate), one <c>epoch</c> event per epoch with its logs and duration, and, when
/// <paramref name="finishOnTrainEnd"/> is true, <c>done</c> when Fit returns (pass false to call
/// <see cref="DashboardRun.Finish"/> yourself once test figures and the report exist). When training resumes from a
/// checkpoint, the epochs done before it are read from <paramref name="metricsCsv"/> (the run's metrics.csv), if given.
/// The callback keeps no checkpoint state, so runs resume with or without it.
/// </summary>
public sealed class DashboardCallback(DashboardRun run, int batchCount, bool finishOnTrainEnd = true, string? metricsCsv = null) : Callback
{
    private readonly Stopwatch _epochClock = new();
    private bool _begun;

    public DashboardRun Run { get; } = run ?? throw new ArgumentNullException(nameof(run));

    public override void OnTrainBegin()
    {
        _begun = false;
        Run.Start(Trainer.Epochs, batchCount);
    }

    public override void OnEpochBegin(int epoch)
    {
        if (!_begun && epoch > 0 && metricsCsv is not null && File.Exists(metricsCsv))
        {
            // Resumed: the CSV logger has put back the rows of the epochs before this one.
            foreach (var (number, metrics) in RunFolder.ReadMetrics(Path.GetDirectoryName(Path.GetFullPath(metricsCsv))!, Path.GetFileName(metricsCsv)))
            {
                if (number <= epoch) Run.Epoch(number, metrics, null);
            }
        }
        _begun = true;
        _epochClock.Restart();
    }

    public override void OnBatchEnd(int epoch, int batch, IReadOnlyDictionary<string, double> logs)
    {
        // The trainer counts epochs and batches from 0; the dashboard shows batches done in a 1-based epoch.
        var loss = logs.TryGetValue("loss", out var l) ? l : double.NaN;
        var lr = Trainer.Optimizer is { } optimizer ? optimizer.LearningRate : double.NaN;
        Run.Batch(epoch + 1, batch + 1, batchCount, loss, lr);
    }

    public override void OnEpochEnd(int epoch, IDictionary<string, double> logs) =>
        Run.Epoch(epoch + 1, logs, _epochClock.Elapsed.TotalSeconds);

    public override void OnTrainEnd(History history)
    {
        if (finishOnTrainEnd) Run.Finish(null, history.StopReason);
    }
}
