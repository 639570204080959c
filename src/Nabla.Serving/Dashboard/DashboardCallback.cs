using System.Diagnostics;
using Nabla.Training;

namespace Nabla.Serving.Dashboard;

/// <summary>
/// Publishes a training run to a dashboard: <c>start</c> when training begins, throttled <c>batch</c> events
/// (epoch, batch, loss, learning rate), one <c>epoch</c> event per epoch with its logs and duration, and, when
/// <paramref name="finishOnTrainEnd"/> is true, <c>done</c> when Fit returns (pass false to call
/// <see cref="DashboardRun.Finish"/> yourself once test figures and the report exist).
/// </summary>
public sealed class DashboardCallback(DashboardRun run, int batchCount, bool finishOnTrainEnd = true) : Callback
{
    private readonly Stopwatch _epochClock = new();

    public DashboardRun Run { get; } = run ?? throw new ArgumentNullException(nameof(run));

    public override void OnTrainBegin() => Run.Start(Trainer.Epochs, batchCount);

    public override void OnEpochBegin(int epoch) => _epochClock.Restart();

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
