using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using Nabla.Serving.Dashboard;

namespace Nabla.Cli.Commands;

/// <summary>How <c>nabla train --dashboard</c> serves: where, and whether to exit when training is done (<c>--dashboard-exit</c>).</summary>
/// <param name="Started">Called once the server is up, before training (tests connect here).</param>
internal sealed record DashboardSettings(string Host = "127.0.0.1", int Port = DashboardCommand.DefaultPort, bool ExitWhenDone = false, Action<TrainingDashboard, Uri>? Started = null);

/// <summary>
/// The dashboard of a training run in progress. Ctrl+C (which stops the server) also stops training after the
/// current batch, through <see cref="Cancellation"/>.
/// </summary>
internal sealed class LiveDashboard : IDisposable
{
    private readonly WebApplication _app;
    private readonly DashboardSettings _settings;

    private LiveDashboard(TrainingDashboard dashboard, DashboardRun run, WebApplication app, DashboardSettings settings)
    {
        (Dashboard, Run, _app, _settings) = (dashboard, run, app, settings);
        Url = new Uri(app.Urls.First() + "/");
    }

    public TrainingDashboard Dashboard { get; }
    public DashboardRun Run { get; }
    public Uri Url { get; }

    /// <summary>Cancelled when the server is asked to stop (Ctrl+C).</summary>
    public CancellationToken Cancellation => _app.Lifetime.ApplicationStopping;

    public static LiveDashboard Start(DashboardSettings settings, string name, string runDirectory, TextWriter output)
    {
        var dashboard = new TrainingDashboard();
        var run = dashboard.AddRun(name, Path.GetFullPath(runDirectory));
        var live = new LiveDashboard(dashboard, run, DashboardCommand.Start(dashboard, settings.Host, settings.Port), settings);
        output.WriteLine($"Dashboard: {live.Url} (live curves; Ctrl+C stops training and the server)");
        settings.Started?.Invoke(dashboard, live.Url);
        return live;
    }

    /// <summary>The callback that feeds this run (its <c>done</c> event comes from <see cref="Finish"/>).</summary>
    public DashboardCallback Callback(int batchCount, string metricsCsv) => new(Run, batchCount, finishOnTrainEnd: false, metricsCsv);

    /// <summary>Publishes the summary and report link, then serves until Ctrl+C unless <c>--dashboard-exit</c> was given.</summary>
    public void Finish(IReadOnlyDictionary<string, object?> summary, string? stopReason, TextWriter output)
    {
        Run.Finish(JsonSerializer.SerializeToNode(summary)?.AsObject(), stopReason);
        if (_settings.ExitWhenDone || Cancellation.IsCancellationRequested) return;
        output.WriteLine($"Training done; the dashboard is still at {Url} (Ctrl+C to stop)");
        _app.WaitForShutdownAsync().GetAwaiter().GetResult();
    }

    public void Dispose()
    {
        // Stopping closes the event streams after their queued events (the done event included).
        _app.StopAsync().GetAwaiter().GetResult();
        ((IDisposable)_app).Dispose();
    }
}
