using System.Globalization;
using Nabla.Training;
using Spectre.Console;

namespace Nabla.Cli.Training;

/// <summary>
/// A Spectre.Console progress bar per epoch (batch, loss, metrics, ETA) on an interactive terminal;
/// elsewhere (redirected output, CI) one plain line per epoch.
/// </summary>
internal static class ProgressDisplay
{
    /// <summary>True when a live progress bar makes sense for this output.</summary>
    public static bool Interactive(TextWriter output) =>
        ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("CI") is null
        && AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>Runs <paramref name="train"/> with a progress callback suited to <paramref name="output"/>.</summary>
    public static T Run<T>(TextWriter output, int batchesPerEpoch, Func<Callback, T> train)
    {
        if (!Interactive(output)) return train(new EpochLogger(output));
        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(context => result = train(new BarCallback(context, batchesPerEpoch)));
        return result;
    }

    private sealed class BarCallback(ProgressContext context, int batchesPerEpoch) : Callback
    {
        private ProgressTask? _task;
        private double _lossSum;
        private int _batches;

        public override void OnEpochBegin(int epoch)
        {
            _task = context.AddTask(Label(epoch, ""), maxValue: batchesPerEpoch);
            (_lossSum, _batches) = (0, 0);
        }

        public override void OnBatchEnd(int epoch, int batch, IReadOnlyDictionary<string, double> logs)
        {
            if (logs.TryGetValue("loss", out var loss)) _lossSum += loss;
            _batches++;
            _task!.Increment(1);
            if (batch % 10 == 0) _task.Description = Label(epoch, string.Create(CultureInfo.InvariantCulture, $"loss {_lossSum / _batches:0.0000}"));
        }

        public override void OnEpochEnd(int epoch, IDictionary<string, double> logs)
        {
            var parts = logs.Where(kv => kv.Key != "lr").Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key} {kv.Value:0.0000}"));
            _task!.Description = Label(epoch, string.Join("  ", parts));
            _task.Value = _task.MaxValue;
            _task.StopTask();
        }

        private string Label(int epoch, string figures) =>
            Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"epoch {epoch + 1}/{Trainer.Epochs}  {figures}"));
    }
}
